package dev.dataaction.retry.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import dev.dataaction.retry.support.WebhookReceiverStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.DisabledOnIntegrationTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** What the operator's webhook receiver hears when retries end, and how a bad receiver is kept away from the retries. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class WebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Why a test needs the application in this JVM: it reads the audit trail from the application's log. */
    static final String AUDIT_IN_THIS_JVM = "reads the audit trail in this JVM's log";
    /** Far beyond the test profile's webhook timeout. */
    private static final int HANG_MS = 10_000;
    /** How far from its clock a receiver accepts a timestamp, as the README suggests. */
    private static final long RECEIVER_TOLERANCE_S = 300;

    WireMockServer genesys = GenesysStub.server();
    WireMockServer receiver = WebhookReceiverStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void succeededRetryIsDeliveredOnceAsRetrySuccess() throws Exception {
        String action = newActionId();
        answers(action, success("{\"ticket\":\"T-1\"}"));

        String id = Retries.submitAccepted(action, "run-hook-1", "{\"customerId\":\"C-1\"}");
        Retries.awaitStatus(id, "SUCCEEDED");

        LoggedRequest delivery = awaitDeliveries(id, 1).getFirst();
        assertThat(delivery.getMethod().getName()).isEqualTo("POST");
        assertThat(delivery.getUrl()).isEqualTo(WebhookReceiverStub.PATH);
        assertThat(delivery.getHeader("Content-Type")).startsWith("application/json");
        JsonNode event = JSON.readTree(delivery.getBody());
        assertThat(event.path("eventType").asText()).isEqualTo("retry_success");
        assertThat(event.path("source").asText()).isEqualTo("genesys-retry-orchestrator");
        assertThat(Instant.parse(event.path("timestamp").asText())).isBefore(Instant.now());
        JsonNode data = event.path("data");
        assertThat(data.path("requestId").asText()).isEqualTo(id);
        assertThat(data.path("actionId").asText()).isEqualTo(action);
        assertThat(data.path("originalRunId").asText()).isEqualTo("run-hook-1");
        assertThat(data.path("attempts").asInt()).isEqualTo(1);
        assertThat(data.path("latencyMs").isIntegralNumber()).isTrue();
        assertThat(data.has("runId")).as("data.runId is present (null in execute mode)").isTrue();
        // exactly one: nothing follows the successful delivery
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> WebhookReceiverStub.deliveriesMentioning(id).size() == 1);
    }

    @Test
    void failedRetryIsDeliveredAsRetryFailedWithGenesysErrorOnly() throws Exception {
        String action = newActionId();
        answers(action, json(400, """
                {"message":"The remote endpoint refused the request","code":"bad.request","status":400,
                 "contextId":"ctx-400-1","details":[{"errorCode":"ACTION.REMOTE_ENDPOINT"}],"errors":[]}"""));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "FAILED");

        JsonNode event = JSON.readTree(awaitDeliveries(id, 1).getFirst().getBody());
        assertThat(event.path("eventType").asText()).isEqualTo("retry_failed");
        assertThat(event.path("data").path("attempts").asInt()).isEqualTo(1);
        JsonNode lastError = event.path("data").path("lastError");
        assertThat(lastError.properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("httpStatus", "code", "message", "contextId");
        assertThat(lastError.path("httpStatus").asInt()).isEqualTo(400);
        assertThat(lastError.path("code").asText()).isEqualTo("bad.request");
        assertThat(lastError.path("message").asText()).isEqualTo("The remote endpoint refused the request");
        assertThat(lastError.path("contextId").asText()).isEqualTo("ctx-400-1");
    }

    @Test
    void exhaustedRetryIsDeliveredAsRetryExhausted() throws Exception {
        String action = newActionId();
        answers(action, unavailable());

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "EXHAUSTED");

        JsonNode event = JSON.readTree(awaitDeliveries(id, 1).getFirst().getBody());
        assertThat(event.path("eventType").asText()).isEqualTo("retry_exhausted");
        assertThat(event.path("data").path("attempts").asInt()).isEqualTo(4);
        assertThat(event.path("data").path("lastError").path("httpStatus").asInt()).isEqualTo(503);
    }

    @Test
    void deliveryIsSignedOverItsTimestampAndTheExactBodyBytes() throws Exception {
        String action = newActionId();
        // non-ASCII text makes the signature depend on the body's exact bytes, not on its characters
        answers(action, json(400, "{\"message\":\"Kundennummer ungültig – ñ\",\"code\":\"bad.request\"}"));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "FAILED");

        LoggedRequest delivery = awaitDeliveries(id, 1).getFirst();
        byte[] body = delivery.getBody();
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("Kundennummer ungültig – ñ");
        String timestamp = delivery.getHeader("X-Orchestrator-Timestamp");
        assertThat(timestamp).isNotBlank().containsOnlyDigits();
        Instant signedAt = Instant.parse(JSON.readTree(body).path("timestamp").asText());
        assertThat(Long.parseLong(timestamp)).isEqualTo(signedAt.getEpochSecond());
        // the receiver's check, as the README gives it
        String signature = delivery.getHeader("X-Orchestrator-Signature");
        assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)))
                .as("the timestamp is within a receiver's tolerance").isLessThanOrEqualTo(RECEIVER_TOLERANCE_S);
        assertThat(receiverAccepts(signature, timestamp, body)).isTrue();
        // the same body replayed under a fresh timestamp no longer verifies
        String replayedAt = Long.toString(Long.parseLong(timestamp) + 60);
        assertThat(receiverAccepts(signature, replayedAt, body)).isFalse();
    }

    @Test
    @DisabledOnIntegrationTest(AUDIT_IN_THIS_JVM)
    void failingReceiverIsTriedABoundedNumberOfTimesAndEachFailureAudited() {
        String action = newActionId();
        answers(action, success("{}"));
        receiver.stubFor(any(anyUrl()).withRequestBody(containing(action)).atPriority(1)
                .willReturn(aResponse().withStatus(500)));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");

        int tries = OperationsProfile.WEBHOOK_MAX_ATTEMPTS;
        await().atMost(Duration.ofSeconds(15)).until(() -> webhookFailures(id).size() == tries);
        assertThat(webhookFailures(id)).allSatisfy(failure -> {
            assertThat(failure.field("eventType")).isEqualTo("retry_success");
            assertThat(failure.field("actionId")).isEqualTo(action);
            assertThat(failure.field("reason")).isNotBlank();
        }).extracting(failure -> failure.field("attempt")).containsExactly("1", "2", "3");
        // a fourth try would come about 2 s after the third
        await().during(Duration.ofMillis(3_000)).atMost(Duration.ofSeconds(4))
                .until(() -> WebhookReceiverStub.deliveriesMentioning(id).size() == tries);
        assertThat(Retries.record(id).getString("status")).isEqualTo("SUCCEEDED");
    }

    @Test
    @DisabledOnIntegrationTest(AUDIT_IN_THIS_JVM)
    void hangingReceiverDoesNotDelayTheRetry() {
        // a first retry whose delivery is answered at once warms the application up, so the deadline below is fair
        String prompt = newActionId();
        answers(prompt, success("{}"));
        awaitDeliveries(Retries.submitAccepted(prompt), 1);
        Retries.awaitQueueEmpty();
        String action = newActionId();
        answers(action, success("{}"));
        receiver.stubFor(any(anyUrl()).withRequestBody(containing(action)).atPriority(1)
                .willReturn(aResponse().withStatus(204).withFixedDelay(HANG_MS)));

        String id = Retries.submitAccepted(action);

        Retries.awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(2));
        Retries.awaitQueueEmpty();
        assertThat(webhookFailures(id)).as("the retry finished and gave its slot back while the delivery was pending")
                .isEmpty();
        // each try is given up after the webhook timeout, long before the receiver would answer
        await().atMost(Duration.ofMillis(HANG_MS * 3 / 4))
                .until(() -> webhookFailures(id).size() == OperationsProfile.WEBHOOK_MAX_ATTEMPTS);
    }

    private List<LoggedRequest> awaitDeliveries(String requestId, int count) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> WebhookReceiverStub.deliveriesMentioning(requestId).size() >= count);
        return WebhookReceiverStub.deliveriesMentioning(requestId);
    }

    private List<Captured> webhookFailures(String requestId) {
        return audit.eventsOf(requestId, "WEBHOOK_FAILURE");
    }

    /** Recomputes the signature over {@code timestamp.rawBody} with the shared secret and compares in constant time. */
    private static boolean receiverAccepts(String signatureHeader, String timestamp, byte[] rawBody) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WebhookReceiverStub.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signatureHeader.getBytes(StandardCharsets.US_ASCII));
    }
}
