package dev.dataaction.retry.traffic;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The limits and the traffic controls at {@code /q/metrics}, as an operator's dashboard reads them. Other tests share
 * the application: every check of a count compares with a scrape before.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class TrafficMetricsTest {

    private static final String CONCURRENCY_CONFIGURED = "orchestrator_limits_concurrency{value=\"configured\"}";
    private static final String CONCURRENCY_EFFECTIVE = "orchestrator_limits_concurrency{value=\"effective\"}";
    private static final String RATE_CONFIGURED = "orchestrator_limits_rate{value=\"configured\"}";
    private static final String RATE_EFFECTIVE = "orchestrator_limits_rate{value=\"effective\"}";
    private static final String PAUSED = "orchestrator_actions_paused";
    private static final String IN_FLIGHT = "orchestrator_attempts_in_flight";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @AfterEach
    void restoreServiceLimits() {
        Traffic.restoreServiceLimits();
    }

    @Test
    void theServicesConfiguredAndEffectiveLimitsAreExposedAndFollowAChange() {
        Metrics configured = Metrics.scrape();
        assertThat(configured.value(CONCURRENCY_CONFIGURED)).isEqualTo(10.0);
        assertThat(configured.value(CONCURRENCY_EFFECTIVE)).isBetween(1.0, 10.0);
        // no rate configured: not a number, rather than a made-up one
        assertThat(configured.value(RATE_CONFIGURED)).isNaN();

        Traffic.setServiceLimits("{\"maxConcurrent\":4,\"maxPerSecond\":30}").then().statusCode(200);

        Metrics changed = Metrics.scrape();
        assertThat(changed.value(CONCURRENCY_CONFIGURED)).isEqualTo(4.0);
        assertThat(changed.value(CONCURRENCY_EFFECTIVE)).isBetween(1.0, 4.0);
        assertThat(changed.value(RATE_CONFIGURED)).isEqualTo(30.0);
        assertThat(changed.value(RATE_EFFECTIVE)).isPositive().isLessThanOrEqualTo(30.0);

        Traffic.restoreServiceLimits();
        assertThat(Metrics.scrape().value(CONCURRENCY_CONFIGURED)).isEqualTo(10.0);
    }

    @Test
    void thePausedActionsGaugeCountsAnActionWhileItIsPaused() {
        String actionId = Retries.newActionId();
        double before = Metrics.scrape().value(PAUSED);

        Traffic.pause(actionId, "maintenance");
        try {
            assertThat(Metrics.scrape().value(PAUSED)).isEqualTo(before + 1);
        } finally {
            Traffic.resume(actionId);
        }

        assertThat(Metrics.scrape().value(PAUSED)).isEqualTo(before);
    }

    @Test
    void anAttemptOnTheWireIsCountedInFlightUntilItIsAnswered() {
        String actionId = Retries.newActionId();
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).willReturn(success("{}")
                .withFixedDelay(1000)));

        String id = Retries.submitAccepted(actionId);

        await("the attempt counted on the wire").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> Metrics.scrape().value(IN_FLIGHT) >= 1);
        Retries.awaitStatus(id, "SUCCEEDED");
        await("no attempt on the wire").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> Metrics.scrape().value(IN_FLIGHT) == 0);
    }
}
