package dev.dataaction.retry.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.json;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.github.tomakehurst.wiremock.http.Fault;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Which answers of Genesys are retried, which end a retry, and what the record says about each. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class FailureClassificationTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void successSendsThePayloadWithCorrelationIdAndBearerTokenAndKeepsTheResult() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ticket\":\"T-9\",\"lines\":[1,2]}"));

        String id = Retries.submitNew(Retries.request(actionId, "run-7", Map.of("customer", "42", "amount", 12.5)));

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getString("requestId")).isEqualTo(id);
        assertThat(record.getString("originalRunId")).isEqualTo("run-7");
        assertThat(record.getString("result.ticket")).isEqualTo("T-9");
        assertThat(record.getList("result.lines", Integer.class)).containsExactly(1, 2);
        assertThat(record.getList("attempts")).hasSize(1);
        assertThat(record.getInt("attempts[0].httpStatus")).isEqualTo(200);
        assertThat(record.getLong("attempts[0].durationMs")).isNotNegative();
        assertThat(record.getString("lastError")).isNull();
        GenesysStub.server().verify(1, postRequestedFor(urlEqualTo(executePath(actionId)))
                .withHeader("ININ-Correlation-Id", equalTo(id))
                .withHeader("Authorization", equalTo("Bearer " + GenesysStub.ACCESS_TOKEN))
                .withRequestBody(equalToJson("{\"customer\":\"42\",\"amount\":12.5}")));
    }

    @Test
    void remoteEndpointErrorFailsAfterOneAttemptWithGenesysErrorDetails() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), json(400, """
                {"message":"The remote endpoint answered 422: customer unknown","code":"bad.request","status":400,
                 "contextId":"ctx-400-remote","details":[{"errorCode":"ACTION.REMOTE_ENDPOINT"}],"errors":[]}"""));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "FAILED");
        assertThat(record.getList("attempts.outcome")).containsExactly("CLIENT_ERROR");
        assertThat(record.getInt("attempts[0].httpStatus")).isEqualTo(400);
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(400);
        assertThat(record.getString("lastError.code")).isEqualTo("bad.request");
        assertThat(record.getString("lastError.message")).isEqualTo("The remote endpoint answered 422: customer unknown");
        assertThat(record.getString("lastError.contextId")).isEqualTo("ctx-400-remote");
        assertThat(record.getString("completedAt")).isNotNull();
        assertNoFurtherCall(actionId, 1);
    }

    @ParameterizedTest(name = "{0} ends the retry as FAILED ({1})")
    @CsvSource({
            "400, CLIENT_ERROR, bad.request",
            "403, AUTH_REJECTED, missing.permissions",
            "404, CLIENT_ERROR, not.found",
            "409, CLIENT_ERROR, conflict",
            "413, CLIENT_ERROR, payload.too.large" })
    void nonRetryableAnswerFailsAfterOneAttempt(int status, String outcome, String code) {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(status, code, "refused with " + status, "ctx-" + status),
                ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "FAILED");
        assertThat(record.getList("attempts.outcome")).containsExactly(outcome);
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(status);
        assertThat(record.getString("lastError.code")).isEqualTo(code);
        assertThat(record.getString("lastError.contextId")).isEqualTo("ctx-" + status);
        assertNoFurtherCall(actionId, 1);
    }

    @ParameterizedTest(name = "{0} is retried ({1})")
    @CsvSource({
            "408, TIMEOUT",
            "429, RATE_LIMITED",
            "500, SERVER_ERROR",
            "502, SERVER_ERROR",
            "503, SERVER_ERROR",
            "504, SERVER_ERROR" })
    void retryableAnswerIsRetriedUntilSuccess(int status, String outcome) {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(status, "transient", "try later", "ctx-" + status),
                ok("{\"ok\":true}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly(outcome, "SUCCESS");
        assertThat(record.getList("attempts.httpStatus", Integer.class)).containsExactly(status, 200);
        assertThat(record.getBoolean("result.ok")).isTrue();
        assertThat(GenesysStub.countOf(executePath(actionId))).isEqualTo(2);
    }

    @Test
    void serverErrorsUntilExhaustedAfterExactlyMaxAttempts() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), json(500, """
                {"message":"Connection reset by remote endpoint","code":"internal.server.error","status":500,
                 "contextId":"ctx-500","details":[{"errorCode":"ACTION.REMOTE_ENDPOINT"}]}"""));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "EXHAUSTED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 2, 3, 4);
        assertThat(record.getList("attempts.outcome")).containsOnly("SERVER_ERROR");
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(500);
        assertThat(record.getString("lastError.code")).isEqualTo("internal.server.error");
        assertThat(record.getString("lastError.contextId")).isEqualTo("ctx-500");
        assertThat(record.getString("nextAttemptAt")).isNull();
        assertNoFurtherCall(actionId, 4);
    }

    @Test
    void errorBodyThatIsNotJsonIsSummarisedByItsStatus() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Not Found</body></html>"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "FAILED");
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(404);
        assertThat(record.getString("lastError.message")).isEqualTo("HTTP 404");
        assertThat(record.getString("lastError.code")).isNull();
    }

    @Test
    void longErrorMessageIsCutToFiveHundredCharacters() {
        String actionId = Retries.newActionId();
        String longMessage = "x".repeat(2_000);
        GenesysStub.stubSequence(executePath(actionId), genesysError(400, "bad.request", longMessage, "ctx-long"));

        JsonPath record = Retries.awaitStatus(Retries.submitNew(actionId, "run-1"), "FAILED");

        assertThat(record.getString("lastError.message")).hasSize(500);
        assertThat(record.getString("lastError.contextId")).isEqualTo("ctx-long");
    }

    @Test
    void readTimeoutIsRecordedAsTimeoutAndRetried() {
        String actionId = Retries.newActionId();
        // beyond the test profile's read timeout of 2 s
        GenesysStub.stubSequence(executePath(actionId), ok("{\"late\":true}").withFixedDelay(3_000), ok("{\"ok\":true}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("TIMEOUT", "SUCCESS");
        assertThat(record.getString("attempts[0].httpStatus")).isNull();
        assertThat(record.getLong("attempts[0].durationMs")).isBetween(1_900L, 2_900L);
        assertThat(record.getInt("attempts[1].number")).isEqualTo(2);
        assertThat(record.getString("lastError.code")).isEqualTo("timeout");
        assertThat(record.getString("result.ok")).isEqualTo("true");
    }

    @Test
    void connectionResetIsRecordedAsNetworkErrorAndRetried() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                ok("{\"ok\":true}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("NETWORK_ERROR", "SUCCESS");
        assertThat(record.getString("attempts[0].httpStatus")).isNull();
        assertThat(record.getString("lastError.code")).isEqualTo("network.error");
        assertThat(GenesysStub.countOf(executePath(actionId))).isEqualTo(2);
    }

    @Test
    void emptyResponseIsRecordedAsNetworkErrorAndRetried() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), aResponse().withFault(Fault.EMPTY_RESPONSE), ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("NETWORK_ERROR", "SUCCESS");
    }

    private static void assertNoFurtherCall(String actionId, int calls) {
        await("no further call").during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == calls);
    }
}
