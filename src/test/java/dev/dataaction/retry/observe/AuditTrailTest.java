package dev.dataaction.retry.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.rateLimited;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** The audit trail an operator reads: one event per lifecycle step, with the retry's identifiers as fields. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class AuditTrailTest {

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void rateLimitedThenSucceededRetryIsAuditedStepByStep() {
        String action = newActionId();
        answers(action, rateLimited(), success("{\"ticket\":\"T-1\"}"));

        String id = Retries.submitAccepted(action, "run-audit-1", "{\"customerId\":\"C-1\"}");
        Retries.awaitStatus(id, "SUCCEEDED");

        List<Captured> events = awaitEvents(id, "RETRY_SUCCESS");
        assertThat(events).extracting(Captured::event).containsExactly(
                "RETRY_ACCEPTED", "RETRY_ATTEMPT", "RATE_LIMIT", "RETRY_ATTEMPT", "RETRY_SUCCESS");
        assertThat(events).allSatisfy(event -> {
            assertThat(event.level().getName()).isEqualTo("INFO");
            assertThat(event.field("requestId")).isEqualTo(id);
            assertThat(event.field("actionId")).isEqualTo(action);
            assertThat(event.field("originalRunId")).isEqualTo("run-audit-1");
            assertThat(event.message()).startsWith(event.event() + " ").contains("requestId=" + id);
        });
        assertThat(events.get(0).field("payloadBytes")).isEqualTo("{\"customerId\":\"C-1\"}".length() + "");
        assertThat(events.get(1).field("httpStatus")).isEqualTo("429");
        assertThat(events.get(1).field("outcome")).isEqualTo("RATE_LIMITED");
        assertThat(Long.parseLong(events.get(2).field("delayMs"))).isPositive();
        assertThat(events.get(3).field("attempt")).isEqualTo("2");
        assertThat(events.get(3).field("outcome")).isEqualTo("SUCCESS");
        assertThat(Long.parseLong(events.get(4).field("latencyMs"))).isNotNegative();
        assertThat(events.get(4).field("attempt")).isEqualTo("2");
    }

    @Test
    void successEventDoesNotReportAnEarlierErrorStatus() {
        String action = newActionId();
        answers(action, rateLimited(), success("{\"ticket\":\"T-1\"}"));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");

        Captured success = awaitEvents(id, "RETRY_SUCCESS").getLast();
        assertThat(success.field("httpStatus")).as("httpStatus of RETRY_SUCCESS").isIn(null, "200");
    }

    @Test
    void failedRetryIsAuditedAsRetryFailed() {
        String action = newActionId();
        answers(action, json(400, GenesysActions.error(400, "bad.request", "The remote endpoint refused")));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "FAILED");

        Captured failed = awaitEvents(id, "RETRY_FAILED").getLast();
        assertThat(failed.field("httpStatus")).isEqualTo("400");
        assertThat(failed.field("code")).isEqualTo("bad.request");
        assertThat(audit.eventsOf(id)).extracting(Captured::event)
                .containsExactly("RETRY_ACCEPTED", "RETRY_ATTEMPT", "RETRY_FAILED");
    }

    @Test
    void exhaustedRetryIsAuditedAsMaxAttemptsReached() {
        String action = newActionId();
        answers(action, unavailable());

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "EXHAUSTED");

        Captured exhausted = awaitEvents(id, "MAX_ATTEMPTS_REACHED").getLast();
        assertThat(exhausted.field("attempt")).isEqualTo("4");
        assertThat(exhausted.field("httpStatus")).isEqualTo("503");
        // attempts 1 to 3 back off; the fourth is the last
        assertThat(audit.eventsOf(id)).filteredOn(event -> "SERVER_ERROR".equals(event.event())).hasSize(3)
                .allSatisfy(event -> assertThat(Long.parseLong(event.field("delayMs"))).isPositive());
    }

    @Test
    void breakerOpeningAndClosingAreAuditedForTheAction() {
        String action = newActionId();
        answers(action, unavailable(), unavailable(), unavailable(), success("{}"));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");

        await().atMost(Duration.ofSeconds(5)).until(() -> !actionEvents(action, "CIRCUIT_CLOSED").isEmpty());
        assertThat(actionEvents(action, "CIRCUIT_OPEN")).hasSize(1);
        assertThat(actionEvents(action, "CIRCUIT_CLOSED")).hasSize(1);
    }

    @Test
    void loginServiceOutageIsAuditedAsAuthFailureNotAsGenesysFailures() {
        String action = newActionId();
        answers(action, success("{}"));
        // load balancers in front of a login service often answer 503 without a body
        StubMapping loginDown = genesys.stubFor(post(urlEqualTo("/oauth/token")).atPriority(1)
                .willReturn(aResponse().withStatus(503)));
        dropCachedToken();
        int failedTokenRequests = tokenRequestFailures().size();

        String id = Retries.submitAccepted(action);
        await().atMost(Duration.ofSeconds(10)).until(() -> tokenRequestFailures().size() >= failedTokenRequests + 3);

        assertThat(audit.eventsOf(id)).extracting(Captured::event).as("nothing was sent to Genesys")
                .containsOnly("RETRY_ACCEPTED");
        assertThat(actionEvents(action, "CIRCUIT_OPEN")).isEmpty();
        genesys.removeStub(loginDown);
        assertThat(Retries.awaitStatus(id, "SUCCEEDED").getList("attempts")).hasSize(1);
    }

    @Test
    void cancelledRetryIsAuditedAsRetryCancelled() {
        String action = newActionId();
        answers(action, rateLimited(2));
        String id = Retries.submitAccepted(action);
        awaitEvents(id, "RATE_LIMIT");

        given().delete("/v1/retries/" + id).then().statusCode(200);

        Captured cancelled = awaitEvents(id, "RETRY_CANCELLED").getLast();
        assertThat(cancelled.field("actionId")).isEqualTo(action);
        assertThat(cancelled.field("originalRunId")).isEqualTo("run-1");
    }

    @Test
    void invalidRequestIsAuditedWithTheNamesOfItsInvalidFields() {
        given().contentType(ContentType.JSON)
                .body("{\"actionId\":\"not a valid id!\",\"requestPayload\":[\"x\"]}")
                .when().post("/v1/retries")
                .then().statusCode(400);

        List<Captured> invalid = audit.events("VALIDATION_ERROR");
        assertThat(invalid).hasSize(1);
        assertThat(invalid.getFirst().field("invalidFields").split(","))
                .containsExactlyInAnyOrder("actionId", "originalRunId", "requestPayload");
        assertThat(invalid.getFirst().everything()).doesNotContain("not a valid id!");
    }

    @Test
    void queueFullRejectionIsAuditedAsRetryRejected() {
        String action = newActionId();
        List<String> held = Retries.fillQueue(action, OperationsProfile.QUEUE_CAPACITY);

        given().contentType(ContentType.JSON).body(Retries.requestJson(action, "run-refused", "{}"))
                .when().post("/v1/retries")
                .then().statusCode(429);

        List<Captured> rejected = audit.events("RETRY_REJECTED");
        assertThat(rejected).hasSize(1);
        assertThat(rejected.getFirst().field("reason")).isEqualTo("QUEUE_FULL");
        assertThat(rejected.getFirst().field("actionId")).isEqualTo(action);
        assertThat(rejected.getFirst().field("originalRunId")).isEqualTo("run-refused");
        held.forEach(id -> given().delete("/v1/retries/" + id).then().statusCode(200));
        Retries.awaitQueueEmpty();
    }

    /**
     * Leaves the service without a cached token while the login service is down: Genesys refuses the token once, and
     * the token request that follows fails.
     */
    private void dropCachedToken() {
        String action = newActionId();
        answers(action, json(401, GenesysActions.error(401, "bad.credentials", "Invalid login credentials")));
        int failedTokenRequests = tokenRequestFailures().size();
        String id = Retries.submitAccepted(action);
        await().atMost(Duration.ofSeconds(10)).until(() -> tokenRequestFailures().size() > failedTokenRequests);
        given().delete("/v1/retries/" + id).then().statusCode(200);
    }

    /** The AUTH_FAILURE events written when a token request failed (they are about no retry). */
    private List<Captured> tokenRequestFailures() {
        return audit.events("AUTH_FAILURE").stream().filter(event -> event.field("requestId") == null).toList();
    }

    /** The retry's events, once the one named {@code last} has been written. */
    private List<Captured> awaitEvents(String requestId, String last) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> audit.eventsOf(requestId).stream().anyMatch(event -> last.equals(event.event())));
        return audit.eventsOf(requestId);
    }

    private List<Captured> actionEvents(String actionId, String event) {
        return audit.events(event).stream().filter(record -> actionId.equals(record.field("actionId"))).toList();
    }
}
