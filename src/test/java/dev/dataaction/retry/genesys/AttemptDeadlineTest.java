package dev.dataaction.retry.genesys;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * An attempt's call to Genesys lasts at most the REST client's connect timeout plus its read timeout (5 s + 2 s under
 * the test profile), even when the answer trickles in quickly enough never to trip the read timeout, which bounds each
 * wait for data.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class AttemptDeadlineTest {

    private static final long CALL_DEADLINE_MILLIS = 5_000 + 2_000;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void answerTricklingInBeyondTheDeadlineIsCutShortAsARetryableTimeout() {
        String actionId = Retries.newActionId();
        // twenty pieces 600 ms apart: each well within the read timeout, twelve seconds in all
        GenesysStub.stubSequence(executePath(actionId),
                ok("{\"slow\":\"" + "x".repeat(400) + "\"}").withChunkedDribbleDelay(20, 12_000), ok("{\"ok\":true}"));

        JsonPath record = Retries.awaitStatus(Retries.submitNew(actionId, "run"), "SUCCEEDED");

        assertThat(record.getList("attempts.outcome")).containsExactly("TIMEOUT", "SUCCESS");
        assertThat(record.getLong("attempts[0].durationMs")).isBetween(CALL_DEADLINE_MILLIS, CALL_DEADLINE_MILLIS + 2_000);
        assertThat(record.getString("result.ok")).isEqualTo("true");
    }
}
