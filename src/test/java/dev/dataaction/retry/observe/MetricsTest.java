package dev.dataaction.retry.observe;

import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.rateLimited;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The Prometheus metrics an operator scrapes at {@code /q/metrics}. Other tests share the application, so every check
 * compares a scrape before and after.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class MetricsTest {

    private static final String ACCEPTED = "orchestrator_retries_accepted_total";
    private static final String SERVER_ERROR_ATTEMPTS = "orchestrator_attempts_total{outcome=\"SERVER_ERROR\"}";
    private static final String SUCCESSFUL_ATTEMPTS = "orchestrator_attempts_total{outcome=\"SUCCESS\"}";
    private static final String SUCCEEDED = "orchestrator_retries_completed_total{status=\"SUCCEEDED\"}";
    private static final String LATENCY_COUNT = "orchestrator_retry_latency_seconds_count";
    private static final String REJECTED_INVALID = "orchestrator_retries_rejected_total{reason=\"INVALID\"}";
    private static final String CIRCUITS_OPEN = "orchestrator_circuit_open";
    private static final String OPEN_CIRCUITS_IN_READINESS = "checks.find { it.name == 'retries' }.data.openCircuits";

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();

    @Test
    void retryThatRecoversFromA503IsCounted() {
        String action = newActionId();
        answers(action, unavailable(), success("{}"));
        Metrics before = Metrics.scrape();

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Metrics after = Metrics.scrape();
            assertThat(after.increaseSince(before, ACCEPTED)).isEqualTo(1);
            assertThat(after.increaseSince(before, SERVER_ERROR_ATTEMPTS)).isEqualTo(1);
            assertThat(after.increaseSince(before, SUCCESSFUL_ATTEMPTS)).isEqualTo(1);
            assertThat(after.increaseSince(before, SUCCEEDED)).isEqualTo(1);
            assertThat(after.increaseSince(before, LATENCY_COUNT)).isEqualTo(1);
        });
    }

    @Test
    void queueAndBreakerGaugesAreExposed() {
        Metrics metrics = Metrics.scrape();

        assertThat(metrics.value("orchestrator_queue_capacity")).isEqualTo(OperationsProfile.QUEUE_CAPACITY);
        assertThat(metrics.value("orchestrator_queue_in_use")).isBetween(0.0, (double) OperationsProfile.QUEUE_CAPACITY);
        assertThat(metrics.value("orchestrator_circuit_open")).isNotNegative();
    }

    @Test
    void invalidSubmissionIsCountedAsRejected() {
        Metrics before = Metrics.scrape();

        given().contentType(ContentType.JSON).body("{\"actionId\":\"a-1\"}")
                .when().post("/v1/retries")
                .then().statusCode(400);

        assertThat(Metrics.scrape().increaseSince(before, REJECTED_INVALID)).isEqualTo(1);
    }

    /**
     * An action's breaker opens and nobody retries the action afterwards: it is counted while it refuses calls, and no
     * longer once its reset delay (1.5 s) has passed, so that the alert on the gauge resolves.
     */
    @Test
    void breakerIsCountedAsOpenOnlyWhileItRefusesCalls() {
        String action = newActionId();
        // a Retry-After beyond max-retry-after ends each retry after its one failure
        answers(action, rateLimited(30));
        for (int run = 1; run <= 3; run++) {
            Retries.awaitStatus(Retries.submitAccepted(action, "run-" + run, "{}"), "EXHAUSTED");
        }

        assertThat(Metrics.scrape().value(CIRCUITS_OPEN)).as("breakers open right after the third failure")
                .isGreaterThanOrEqualTo(1);
        assertThat(Callers.withoutApiKey().get("/q/health/ready").then().extract().jsonPath()
                .getInt(OPEN_CIRCUITS_IN_READINESS)).isGreaterThanOrEqualTo(1);

        await("the breaker to stop counting once it would let a trial call through").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    assertThat(Metrics.scrape().value(CIRCUITS_OPEN)).isZero();
                    assertThat(Callers.withoutApiKey().get("/q/health/ready").then().extract().jsonPath()
                            .getInt(OPEN_CIRCUITS_IN_READINESS)).isZero();
                });
    }
}
