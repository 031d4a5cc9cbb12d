package dev.dataaction.retry.traffic;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysStub.countOf;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * Pausing an action stops its retries before they reach Genesys, without refusing new ones or using up attempts; resuming
 * sends the retries it held at once; a pause that outlasts a retry's max-duration ends it EXHAUSTED. Other actions go on
 * as before.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class PauseResumeTest {

    /** The test profile's max-duration: a held retry waits until then, unless it is resumed. */
    private static final Duration MAX_DURATION = Duration.ofSeconds(20);
    /** {@code orchestrator.actions."short-lived-action".retry.max-duration}. */
    private static final Duration SHORT_MAX_DURATION = Duration.ofSeconds(2);
    /** From a resume to the held retries' answers: an attempt at once, far from any backoff or deadline. */
    private static final Duration AT_ONCE = Duration.ofSeconds(2);
    private static final String REASON = "CRM maintenance until 10:00";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void aPausedActionsRetriesAreAcceptedAndWaitWithoutReachingGenesysUntilResumedThenRunAtOnce() {
        String actionId = Retries.newActionId();
        answers(actionId, success("{\"ticket\":\"T-1\"}"));
        JsonPath paused = Traffic.pause(actionId, REASON);
        assertThat(paused.getBoolean("paused")).isTrue();
        assertThat(paused.getString("pauseReason")).isEqualTo(REASON);

        try {
            // still accepted (202): the caller's flow goes on, the retry waits for the action
            List<String> held = List.of(Retries.submitAccepted(actionId, "run-1", "{}"),
                    Retries.submitAccepted(actionId, "run-2", "{}"));

            for (String id : held) {
                JsonPath record = awaitHeldByPause(id);
                assertThat(record.getList("attempts")).as("no attempt used up").isEmpty();
                assertThat(record.getString("lastError.message")).contains(REASON);
                // it waits until its deadline, unless a resume wakes it earlier
                assertThat(Retries.instant(record, "nextAttemptAt"))
                        .isEqualTo(Retries.instant(record, "acceptedAt").plus(MAX_DURATION));
            }
            assertNothingReaches(actionId, Duration.ofMillis(500));
            assertThat(Traffic.action(actionId).getBoolean("paused")).isTrue();
        } finally {
            Instant resumed = Instant.now();
            JsonPath action = Traffic.resume(actionId);
            assertThat(action.getBoolean("paused")).isFalse();
            assertThat(action.getString("pauseReason")).isNull();

            // resumed: the held retries are due at once, not at their deadline
            for (JsonPath record : Retries.listOf(actionId).stream().map(retry -> (String) retry.get("requestId"))
                    .map(id -> Retries.awaitStatus(id, "SUCCEEDED", AT_ONCE)).toList()) {
                assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1);
                assertThat(Duration.between(resumed, Retries.instant(record, "completedAt"))).isLessThan(AT_ONCE);
                assertThat(record.getString("result.ticket")).isEqualTo("T-1");
            }
        }
        assertThat(countOf(executePath(actionId))).isEqualTo(2);
    }

    @Test
    void otherActionsGoOnWhileOneIsPaused() {
        String pausedAction = Retries.newActionId();
        String otherAction = Retries.newActionId();
        answers(pausedAction, success("{}"));
        answers(otherAction, success("{\"fine\":true}"));
        Traffic.pause(pausedAction, REASON);
        try {
            String held = Retries.submitAccepted(pausedAction);
            awaitHeldByPause(held);

            String other = Retries.submitAccepted(otherAction);

            JsonPath done = Retries.awaitStatus(other, "SUCCEEDED", Duration.ofSeconds(3));
            assertThat(done.getList("attempts.number", Integer.class)).containsExactly(1);
            assertThat(done.getString("lastError")).isNull();
            assertThat(Traffic.action(otherAction).getBoolean("paused")).isFalse();
            assertThat(countOf(executePath(pausedAction))).isZero();
        } finally {
            Traffic.resume(pausedAction);
        }
    }

    @Test
    void aPauseStopsRetriesWaitingForASlotButLetsTheAttemptOnTheWireFinish() {
        String actionId = Retries.newActionId();
        // one at a time, each answer taking a while: the second retry waits for the first one's slot
        Traffic.limitAction(actionId, "{\"maxConcurrent\":1}");
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).willReturn(success("{}").withFixedDelay(1500)));
        try {
            String onTheWire = Retries.submitAccepted(actionId, "run-1", "{}");
            Retries.awaitRecord(onTheWire, record -> "IN_FLIGHT".equals(record.getString("status")), "on the wire");
            String waiting = Retries.submitAccepted(actionId, "run-2", "{}");
            await("the second retry waiting for the slot").atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(20)).until(() -> Traffic.action(actionId).getInt("waiting") == 1);

            Traffic.pause(actionId, REASON);

            // the waiting retry leaves the queue for the slot and waits for the action instead
            JsonPath held = awaitHeldByPause(waiting);
            assertThat(held.getList("attempts")).isEmpty();
            assertThat(Traffic.action(actionId).getInt("waiting")).isZero();
            // the attempt already sent is answered and counts
            assertThat(Retries.awaitStatus(onTheWire, "SUCCEEDED", Duration.ofSeconds(3)).getList("attempts"))
                    .hasSize(1);
            assertNothingReaches(actionId, Duration.ofMillis(500), 1);

            Traffic.resume(actionId);

            assertThat(Retries.awaitStatus(waiting, "SUCCEEDED", Duration.ofSeconds(4)).getList("attempts.number",
                    Integer.class)).containsExactly(1);
        } finally {
            Traffic.resume(actionId);
            Traffic.limitAction(actionId, "{}");
        }
        assertThat(countOf(executePath(actionId))).isEqualTo(2);
    }

    @Test
    void aPauseThatOutlastsMaxDurationEndsTheRetryExhaustedWithoutAnAttempt() {
        String actionId = TrafficProfile.SHORT_LIVED_ACTION;
        answers(actionId, success("{}"));
        Traffic.pause(actionId, REASON);
        try {
            String id = Retries.submitAccepted(actionId);
            awaitHeldByPause(id);

            JsonPath exhausted = Retries.awaitStatus(id, "EXHAUSTED", SHORT_MAX_DURATION.plusSeconds(3));

            assertThat(exhausted.getList("attempts")).isEmpty();
            assertThat(exhausted.getString("lastError.code")).isEqualTo("max-duration.reached");
            // the operator reading it learns that the pause, not Genesys, kept it from running
            assertThat(exhausted.getString("lastError.message")).contains("paused").contains(REASON);
            Duration lived = Duration.between(Retries.instant(exhausted, "acceptedAt"),
                    Retries.instant(exhausted, "completedAt"));
            assertThat(lived).as("its own max-duration, not the service's 20 s")
                    .isBetween(SHORT_MAX_DURATION, SHORT_MAX_DURATION.plusSeconds(1));
            assertThat(countOf(executePath(actionId))).isZero();
        } finally {
            Traffic.resume(actionId);
        }
    }

    @Test
    void resumingAnActionThatIsNotPausedChangesNothing() {
        String actionId = Retries.newActionId();
        answers(actionId, success("{}"));

        JsonPath resumed = Traffic.resume(actionId);

        assertThat(resumed.getBoolean("paused")).isFalse();
        assertThat(Retries.awaitStatus(Retries.submitAccepted(actionId), "SUCCEEDED").getList("attempts")).hasSize(1);
    }

    private static JsonPath awaitHeldByPause(String id) {
        return Retries.awaitRecord(id, record -> "PENDING".equals(record.getString("status"))
                && "action.paused".equals(record.getString("lastError.code")), "held by the pause");
    }

    private static void assertNothingReaches(String actionId, Duration during) {
        assertNothingReaches(actionId, during, 0);
    }

    /** For {@code during}, no more than {@code calls} requests reached the action on Genesys. */
    private static void assertNothingReaches(String actionId, Duration during, int calls) {
        await("no call to " + actionId).during(during).atMost(during.plusSeconds(2))
                .until(() -> countOf(executePath(actionId)) == calls);
    }
}
