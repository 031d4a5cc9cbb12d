package dev.dataaction.retry.genesys;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The breakers are bounded ({@code orchestrator.circuit-breaker.max-breakers}, 2 here); breakers that refuse calls are
 * kept beyond the bound, and an action first seen while the bound is taken by such breakers must still be protected. A
 * breaker whose reset delay (1.5 s) has passed refuses nothing and is forgotten like a closed one.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(BreakerBoundTest.TwoBreakers.class)
class BreakerBoundTest {

    /** At most two breakers. */
    public static class TwoBreakers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orchestrator.circuit-breaker.max-breakers", "2");
        }
    }

    private static final String OPEN_CIRCUITS = "checks.find { it.name == 'retries' }.data.openCircuits";

    @Inject
    ActionBreakers breakers;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /** Three retries that each fail once and end at once: the third failure opens the action's breaker. */
    private static void failThreeTimes(String actionId) {
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.rateLimited("30"));
        for (int run = 1; run <= 3; run++) {
            Retries.awaitStatus(Retries.submitNew(actionId, "fail-" + run), "EXHAUSTED");
        }
    }

    @Test
    void actionFirstSeenWhileEveryBreakerIsOpenStillGetsABreaker() {
        String first = Retries.newActionId();
        String second = Retries.newActionId();
        String third = Retries.newActionId();
        failThreeTimes(first);
        failThreeTimes(second);

        failThreeTimes(third);
        String next = Retries.submitNew(third, "next");

        JsonPath held = Retries.awaitRecord(next, record -> "circuit.open".equals(record.getString("lastError.code"))
                || Retries.isFinished(record), "held by the open breaker, or finished");
        assertThat(held.getString("lastError.code")).isEqualTo("circuit.open");
        assertThat(GenesysStub.countOf(executePath(third))).as("calls after the breaker opened").isEqualTo(3);
        Retries.cancel(next);
    }

    @Test
    void breakersWhoseResetDelayHasPassedAreForgottenBeyondTheBound() {
        failThreeTimes(Retries.newActionId());
        failThreeTimes(Retries.newActionId());
        // nobody retries those two actions: once their reset delay has passed they would let a trial call through
        await("the breakers to stop refusing calls").atMost(Duration.ofSeconds(5))
                .until(() -> Retries.readiness().getInt(OPEN_CIRCUITS) == 0);

        String another = Retries.newActionId();
        GenesysStub.stubSequence(executePath(another), GenesysStub.ok("{}"));
        Retries.awaitStatus(Retries.submitNew(another, "run"), "SUCCEEDED");

        assertThat(breakers.size()).as("breakers kept").isLessThanOrEqualTo(2);
    }

    /**
     * A closed breaker is forgotten while its action's call is on the wire; that call fails and opens the forgotten
     * breaker, which the count of open breakers must not take in: it protects nothing any more.
     */
    @Test
    void breakerForgottenWhileItsCallIsOnTheWireLeavesNoOpenBreakerCounted() {
        await("earlier breakers to stop refusing calls").atMost(Duration.ofSeconds(5))
                .until(() -> Retries.readiness().getInt(OPEN_CIRCUITS) == 0);
        String slow = Retries.newActionId();
        // the third answer comes within the read timeout (2 s), so that each retry ends after its one attempt
        GenesysStub.stubSequence(executePath(slow), GenesysStub.rateLimited("30"), GenesysStub.rateLimited("30"),
                GenesysStub.rateLimited("30").withFixedDelay(1_500));
        Retries.awaitStatus(Retries.submitNew(slow, "fail-1"), "EXHAUSTED");
        Retries.awaitStatus(Retries.submitNew(slow, "fail-2"), "EXHAUSTED");
        // each 429 also holds the action's other retries, up to max-retry-after: the third goes out once that passed
        await("the action's Retry-After hold to pass").atMost(Duration.ofSeconds(5))
                .until(() -> given().get("/v1/actions/" + slow).path("rateLimitedUntil") == null);
        String third = Retries.submitNew(slow, "fail-3");
        await("the third call on the wire").atMost(Duration.ofSeconds(5))
                .until(() -> GenesysStub.countOf(executePath(slow)) == 3);

        // two other actions take the two places: the slow action's closed breaker is forgotten
        for (String other : new String[] { Retries.newActionId(), Retries.newActionId() }) {
            GenesysStub.stubSequence(executePath(other), GenesysStub.ok("{}"));
            Retries.awaitStatus(Retries.submitNew(other, "run"), "SUCCEEDED");
        }
        assertThat(Retries.record(third).getString("status")).as("the third call still on the wire")
                .isEqualTo("IN_FLIGHT");

        Retries.awaitStatus(third, "EXHAUSTED");
        assertThat(Retries.readiness().getInt(OPEN_CIRCUITS)).isZero();
    }
}
