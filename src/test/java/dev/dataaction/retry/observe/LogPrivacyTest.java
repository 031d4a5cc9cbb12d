package dev.dataaction.retry.observe;

import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import dev.dataaction.retry.support.WebhookReceiverStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * What never reaches the logs or the webhook: the callers' payloads, the actions' results and every credential. All
 * loggers are watched, not only the audit trail.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class LogPrivacyTest {

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();
    final LogCapture logs = cleanSlate.capture(LogCapture.ROOT);

    @Test
    void payloadsAndResultsNeverReachTheLogsNorTheWebhook() {
        String personalData = "PII-4111111111111111";
        String actionResult = "RESULT-" + UUID.randomUUID();
        // non-ASCII, so that the size must be counted in bytes, not characters
        String payload = "{\"card\":\"" + personalData + "\",\"name\":\"Zoë Ó Súilleabháin\"}";
        String action = newActionId();
        answers(action, unavailable(), success("{\"secretAnswer\":\"" + actionResult + "\"}"));

        String id = Retries.submitAccepted(action, "run-privacy-1", payload);
        Retries.awaitStatus(id, "SUCCEEDED");
        LoggedRequest delivery = awaitDelivery(id);
        given().contentType(ContentType.JSON)
                .body("{\"actionId\":\"" + action + "\",\"originalRunId\":\"run-privacy-2\",\"requestPayload\":\""
                        + personalData + "\"}")
                .when().post("/v1/retries")
                .then().statusCode(400);

        assertThat(logs.records()).isNotEmpty().allSatisfy(record -> assertThat(record.everything())
                .doesNotContain(personalData, "Zoë", actionResult));
        assertThat(delivery.getBodyAsString()).doesNotContain(personalData, "Zoë", actionResult);
        Captured accepted = logs.eventsOf(id).getFirst();
        assertThat(accepted.event()).isEqualTo("RETRY_ACCEPTED");
        assertThat(accepted.field("payloadBytes"))
                .isEqualTo(Integer.toString(payload.getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void credentialsNeverReachTheLogs() {
        String wrongKey = "wrong-key-" + UUID.randomUUID();
        String action = newActionId();
        // the 401 makes the service fetch a new token, so the token request and its answer happen while we watch
        answers(action, json(401, GenesysActions.error(401, "bad.credentials", "Invalid login credentials")),
                success("{}"));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");
        awaitDelivery(id);
        Callers.withApiKey(wrongKey).get("/v1/retries").then().statusCode(401);

        assertThat(logs.events("TOKEN_REFRESHED")).as("a token was requested while the logs were watched").isNotEmpty();
        assertThat(logs.records()).anySatisfy(record -> assertThat(record.message()).contains("Refused GET"));
        String basicCredentials = Base64.getEncoder().encodeToString(
                (GenesysStub.CLIENT_ID + ":" + GenesysStub.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        assertThat(logs.records()).allSatisfy(record -> assertThat(record.everything()).doesNotContain(
                GenesysStub.CLIENT_SECRET, basicCredentials, GenesysStub.ACCESS_TOKEN, GenesysStub.API_KEY,
                WebhookReceiverStub.SECRET, wrongKey));
    }

    private static LoggedRequest awaitDelivery(String requestId) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !WebhookReceiverStub.deliveriesMentioning(requestId).isEmpty());
        List<LoggedRequest> deliveries = WebhookReceiverStub.deliveriesMentioning(requestId);
        return deliveries.getFirst();
    }
}
