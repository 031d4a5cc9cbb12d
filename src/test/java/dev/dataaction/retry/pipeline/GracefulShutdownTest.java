package dev.dataaction.retry.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.rateLimited;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * What SIGTERM sets in motion, driven through the pipeline's own shutdown steps: {@code stopAccepting()} (on the
 * shutdown-delay event) and {@code drain()} (on the shutdown event). A signal cannot be sent inside a test, and a
 * refusing application must not be shared, hence an application of its own.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(GracefulShutdownTest.Stopping.class)
class GracefulShutdownTest {

    /** An application of its own: once it refuses retries, it stays so. */
    public static class Stopping implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            // lets a retry wait long enough for the shutdown to overtake it
            return Map.of("orchestrator.retry.max-retry-after", "10s");
        }
    }

    private static final String UNAVAILABLE = "urn:genesys-retry-orchestrator:problem:unavailable";
    private static final String REJECTED_SHUTTING_DOWN = "orchestrator_retries_rejected_total{reason=\"SHUTTING_DOWN\"}";

    @Inject
    RetryPipeline pipeline;

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void stoppingRefusesNewRetriesThenLetsAttemptsOnTheWireFinishAndReportsTheRest() {
        String waitingAction = newActionId();
        answers(waitingAction, rateLimited(5));
        String waiting = Retries.submitAccepted(waitingAction);
        await().atMost(Duration.ofSeconds(5)).until(() -> !audit.eventsOf(waiting, "RATE_LIMIT").isEmpty());
        String slowAction = newActionId();
        answers(slowAction, success("{\"ticket\":\"T-1\"}").withFixedDelay(1_000));
        String onTheWire = Retries.submitAccepted(slowAction);
        Retries.awaitStatus(onTheWire, "IN_FLIGHT");
        Metrics before = Metrics.scrape();

        pipeline.stopAccepting();

        given().contentType(ContentType.JSON).body(Retries.requestJson(newActionId(), "run-late", "{}"))
                .when().post("/v1/retries")
                .then().statusCode(503)
                .contentType(startsWith("application/problem+json"))
                .header("Retry-After", "2")
                .body("type", equalTo(UNAVAILABLE));
        given().contentType(ContentType.JSON).body("[" + Retries.requestJson(newActionId(), "run-late", "{}") + "]")
                .when().post("/v1/retries/batch")
                .then().statusCode(200)
                .body("results[0].outcome", equalTo("rejected"))
                .body("results[0].problem.type", equalTo(UNAVAILABLE));
        JsonPath ready = given().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
        assertThat(ready.getString("status")).isEqualTo("DOWN");
        assertThat(ready.getBoolean("checks.find { it.name == 'retries' }.data.shuttingDown")).isTrue();
        assertThat(audit.events("RETRY_REJECTED")).hasSize(2)
                .allSatisfy(rejected -> assertThat(rejected.field("reason")).isEqualTo("SHUTTING_DOWN"));
        assertThat(Metrics.scrape().increaseSince(before, REJECTED_SHUTTING_DOWN)).isEqualTo(2);

        Instant nextAttemptWasDue = Instant.parse(Retries.record(waiting).getString("nextAttemptAt"));
        pipeline.drain(Duration.ofSeconds(5));

        assertThat(Retries.record(onTheWire).getString("status")).as("the attempt on the wire finished").isEqualTo("SUCCEEDED");
        assertThat(audit.eventsOf(onTheWire)).extracting(Captured::event).doesNotContain("RETRY_ABANDONED");
        List<Captured> abandoned = audit.eventsOf(waiting, "RETRY_ABANDONED");
        assertThat(abandoned).hasSize(1);
        assertThat(abandoned.getFirst().field("status")).isEqualTo("PENDING");
        assertThat(abandoned.getFirst().field("attempt")).isEqualTo("1");
        // its timer was stopped: the attempt that was due after the Retry-After never comes
        Duration pastDue = Duration.between(Instant.now(), nextAttemptWasDue).plusSeconds(1);
        await().during(pastDue).atMost(pastDue.plusSeconds(1))
                .until(() -> genesys.findAll(postRequestedFor(urlEqualTo(executePath(waitingAction)))).size() == 1);
    }
}
