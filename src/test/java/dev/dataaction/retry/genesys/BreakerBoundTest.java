package dev.dataaction.retry.genesys;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The breakers are bounded ({@code orchestrator.circuit-breaker.max-breakers}, 2 here); open breakers are kept beyond the
 * bound, and an action first seen while the bound is taken by open breakers must still be protected. Disabled on the
 * class, so that the extra Quarkus restart of its profile is spent only once the bug is fixed.
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

    @BeforeEach
    void resetGenesys() {
        GenesysStub.reset();
    }

    @AfterEach
    void leaveNothingBehind() {
        Retries.leaveNothingBehind();
    }

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
}
