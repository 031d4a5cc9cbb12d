package dev.dataaction.retry.traffic;

import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static dev.dataaction.retry.support.GenesysStub.countOf;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * An action may have a retry policy of its own ({@code orchestrator.actions."<actionId>".retry}): here
 * {@value TrafficProfile#ONE_ATTEMPT_ACTION} gets one attempt, while every other action keeps the service's four.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class RetryPolicyPerActionTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void anActionWithOneAttemptEndsExhaustedAfterItsOnlyAttemptWhileAnotherGetsTheServicesFour() {
        String other = Retries.newActionId();
        answers(TrafficProfile.ONE_ATTEMPT_ACTION, unavailable());
        answers(other, unavailable());

        String single = Retries.submitAccepted(TrafficProfile.ONE_ATTEMPT_ACTION);
        String usual = Retries.submitAccepted(other);

        JsonPath once = Retries.awaitStatus(single, "EXHAUSTED");
        assertThat(once.getList("attempts.number", Integer.class)).containsExactly(1);
        assertThat(once.getList("attempts.outcome")).containsExactly("SERVER_ERROR");
        assertThat(once.getInt("lastError.httpStatus")).isEqualTo(503);
        assertThat(countOf(executePath(TrafficProfile.ONE_ATTEMPT_ACTION))).isEqualTo(1);
        // the same answers, the service's policy: four attempts (the breaker opening after three only delays the last)
        JsonPath four = Retries.awaitStatus(usual, "EXHAUSTED");
        assertThat(four.getList("attempts.number", Integer.class)).containsExactly(1, 2, 3, 4);
        assertThat(countOf(executePath(other))).isEqualTo(4);
    }

    @Test
    void anActionWithOneAttemptStillSucceedsOnIt() {
        answers(TrafficProfile.ONE_ATTEMPT_ACTION, success("{\"paid\":true}"));

        JsonPath done = Retries.awaitStatus(Retries.submitAccepted(TrafficProfile.ONE_ATTEMPT_ACTION), "SUCCEEDED");

        assertThat(done.getList("attempts.number", Integer.class)).containsExactly(1);
        assertThat(done.getString("result.paid")).isEqualTo("true");
    }

    @Test
    void anActionThatChangesOnlyItsMaxDurationKeepsTheServicesOtherRules() {
        answers(TrafficProfile.SHORT_LIVED_ACTION, unavailable(), success("{}"));

        JsonPath done = Retries.awaitStatus(Retries.submitAccepted(TrafficProfile.SHORT_LIVED_ACTION), "SUCCEEDED");

        // only max-duration is its own (PauseResumeTest shows it): a 503 is retried after the service's backoff
        assertThat(done.getList("attempts.number", Integer.class)).containsExactly(1, 2);
        assertThat(done.getList("attempts.outcome")).containsExactly("SERVER_ERROR", "SUCCESS");
    }
}
