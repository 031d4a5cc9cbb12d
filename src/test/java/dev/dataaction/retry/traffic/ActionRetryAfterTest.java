package dev.dataaction.retry.traffic;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A 429 with Retry-After holds every retry of its action, not only the one refused: siblings that come due meanwhile do
 * not call Genesys until it has passed, and the action shows until when it is held. Other actions are not held.
 * <p>
 * In the default test application, not in {@link TrafficProfile}'s: a 429 also lowers the service-wide limits (AIMD), and
 * the classes that count attempts on the wire there must find them as configured. The default application sees 429s
 * from other suites anyway.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class ActionRetryAfterTest {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    /** Logged request times are whole milliseconds. */
    private static final Duration ROUNDING = Duration.ofMillis(2);
    /** From the refused call reaching the stand-in to its answer reaching the orchestrator. */
    private static final Duration ANSWER_TRANSIT = Duration.ofMillis(500);

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void aRetryAfterHoldsTheSiblingsThatComeDueMeanwhileAndNotOtherActions() {
        String actionId = Retries.newActionId();
        String otherAction = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("2"), ok("{\"ticket\":\"T-1\"}"));
        GenesysStub.stubSequence(executePath(otherAction), ok("{}"));

        String refused = Retries.submitAccepted(actionId, "run-refused", "{}");
        Retries.awaitRecord(refused, record -> record.getList("attempts").size() == 1, "its first attempt refused");
        Instant refusedAt = GenesysStub.requestsTo(executePath(actionId)).getFirst().getLoggedDate().toInstant();

        // the action shows the hold: until about 2 s after the 429
        JsonPath held = Traffic.action(actionId);
        assertThat(held.getString("rateLimitedUntil")).as("rateLimitedUntil during the hold").isNotNull();
        assertThat(Retries.instant(held, "rateLimitedUntil")).isAfterOrEqualTo(refusedAt.plus(RETRY_AFTER).minus(ROUNDING))
                .isBeforeOrEqualTo(refusedAt.plus(RETRY_AFTER).plus(ANSWER_TRANSIT));
        assertThat(held.getInt("lastError.httpStatus")).isEqualTo(429);
        assertThat(Metrics.scrape().value("orchestrator_actions_rate_limited")).as("actions held now").isPositive();

        // siblings submitted after the 429 come due within the hold: they wait for it, without an attempt
        List<String> siblings = List.of(Retries.submitAccepted(actionId, "run-sibling-1", "{}"),
                Retries.submitAccepted(actionId, "run-sibling-2", "{}"));
        await("the siblings waiting for the hold to pass").atMost(RETRY_AFTER).pollInterval(Duration.ofMillis(20))
                .until(() -> Traffic.action(actionId).getInt("waiting") == 2);
        siblings.forEach(id -> assertThat(Retries.record(id).getList("attempts")).isEmpty());
        // another action is not held
        String other = Retries.submitAccepted(otherAction);
        JsonPath otherDone = Retries.awaitStatus(other, "SUCCEEDED", RETRY_AFTER);
        assertThat(Retries.instant(otherDone, "completedAt")).isBefore(refusedAt.plus(RETRY_AFTER));

        for (String id : siblings) {
            assertThat(Retries.awaitStatus(id, "SUCCEEDED").getList("attempts.number", Integer.class))
                    .as("no attempt used up by waiting").containsExactly(1);
        }
        assertThat(Retries.awaitStatus(refused, "SUCCEEDED").getList("attempts.number", Integer.class))
                .containsExactly(1, 2);
        List<LoggedRequest> calls = GenesysStub.requestsTo(executePath(actionId));
        assertThat(calls).hasSize(4);
        calls.subList(1, 4).forEach(call -> assertThat(call.getLoggedDate().toInstant())
                .as("a call after the 429").isAfterOrEqualTo(refusedAt.plus(RETRY_AFTER).minus(ROUNDING)));
        assertThat(Traffic.action(actionId).getString("rateLimitedUntil")).as("once the hold has passed").isNull();
    }
}
