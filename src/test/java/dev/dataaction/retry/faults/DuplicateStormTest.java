package dev.dataaction.retry.faults;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** A caller that repeats one submission a thousand times at once still gets one retry, executed once. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class DuplicateStormTest {

    private static final int CALLERS = 1_000;
    private static final String ACCEPTED = "orchestrator_retries_accepted_total";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void thousandConcurrentDuplicatesMakeOneRetryAndOneExecution() {
        String actionId = Retries.newActionId();
        // a slow action keeps the retry unfinished while most duplicates arrive
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.ok("{\"ticket\":\"T-1\"}").withFixedDelay(300));
        Metrics before = Metrics.scrape();
        String body = Retries.requestJson(actionId, "run-storm", "{\"customerId\":\"C-1\"}");

        List<HttpResponse<String>> answers = Faults.postAllAtOnce("/v1/retries", Collections.nCopies(CALLERS, body));

        List<HttpResponse<String>> created = answers.stream().filter(answer -> answer.statusCode() == 202).toList();
        assertThat(created).as("answers 202").hasSize(1);
        assertThat(created.getFirst().headers().firstValue("Location")).isPresent();
        String requestId = Faults.requestIdOf(created.getFirst());
        assertThat(answers).filteredOn(answer -> answer.statusCode() != 202)
                .hasSize(CALLERS - 1)
                .allSatisfy(answer -> {
                    assertThat(answer.statusCode()).as("answer %s", answer.body()).isEqualTo(200);
                    assertThat(Faults.requestIdOf(answer)).isEqualTo(requestId);
                });
        JsonPath record = Retries.awaitStatus(requestId, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("SUCCESS");
        await("exactly one execution").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 1);
        assertThat(Retries.listOf(actionId)).hasSize(1);
        assertThat(Metrics.scrape().increaseSince(before, ACCEPTED)).isEqualTo(1);
        Faults.assertHealthy();
    }
}
