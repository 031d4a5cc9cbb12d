package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.github.tomakehurst.wiremock.client.WireMock;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code GET /v1/retries/{id}} and {@code GET /v1/retries?status=&actionId=&limit=} (newest first). */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class RetryQueryTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void unknownRetryIsNotFound() {
        for (String unknown : new String[] { UUID.randomUUID().toString(), "not-a-uuid" }) {
            Response missing = given().get("/v1/retries/" + unknown);

            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.contentType()).startsWith(PROBLEM_JSON);
            assertThat(missing.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "not-found");
        }
    }

    @Test
    void recordCarriesEverythingACallerNeedsButNotThePayload() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ticket\":\"T-3\"}"));
        String id = Retries.submitNew(Retries.request(actionId, "run-9", Map.of("ssn", "123-45-6789")));

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");

        assertThat(record.getMap("$")).containsKeys("requestId", "actionId", "originalRunId", "status", "attempts",
                "nextAttemptAt", "result", "runId", "lastError", "acceptedAt", "completedAt");
        assertThat(record.getMap("attempts[0]")).containsOnlyKeys("number", "startedAt", "durationMs", "httpStatus",
                "outcome");
        assertThat(Retries.instant(record, "completedAt")).isAfterOrEqualTo(Retries.instant(record, "acceptedAt"));
        assertThat(record.prettify()).doesNotContain("123-45-6789");
    }

    @Test
    void listFiltersByActionAndStatusNewestFirst() {
        String actionId = Retries.newActionId();
        String path = executePath(actionId);
        GenesysStub.server().stubFor(WireMock.post(WireMock.urlEqualTo(path))
                .withRequestBody(WireMock.containing("fail")).willReturn(genesysError(400, "bad.request", "no", "c")));
        GenesysStub.server().stubFor(WireMock.post(WireMock.urlEqualTo(path))
                .withRequestBody(WireMock.containing("wait")).willReturn(GenesysStub.rateLimited("3")));
        GenesysStub.server().stubFor(WireMock.post(WireMock.urlEqualTo(path))
                .withRequestBody(WireMock.containing("pass")).willReturn(ok("{}")));
        String succeeded = Retries.submitNew(Retries.request(actionId, "run-1", Map.of("do", "pass")));
        Retries.awaitStatus(succeeded, "SUCCEEDED");
        String failed = Retries.submitNew(Retries.request(actionId, "run-2", Map.of("do", "fail")));
        Retries.awaitStatus(failed, "FAILED");
        String pending = Retries.submitNew(Retries.request(actionId, "run-3", Map.of("do", "wait")));
        Retries.awaitRecord(pending, record -> record.getList("attempts").size() == 1
                && "PENDING".equals(record.getString("status")), "waiting");
        String otherAction = Retries.newActionId();
        GenesysStub.stubSequence(executePath(otherAction), ok("{}"));
        Retries.awaitStatus(Retries.submitNew(otherAction, "run-1"), "SUCCEEDED");

        assertThat(requestIds("actionId", actionId)).containsExactly(pending, failed, succeeded);
        assertThat(requestIds("actionId", actionId, "status", "FAILED")).containsExactly(failed);
        assertThat(requestIds("actionId", actionId, "status", "pending")).containsExactly(pending);
        assertThat(requestIds("actionId", actionId, "status", "SUCCEEDED")).containsExactly(succeeded);
        assertThat(requestIds("actionId", actionId, "status", "EXHAUSTED")).isEmpty();
        assertThat(requestIds("actionId", actionId, "limit", "2")).containsExactly(pending, failed);
        assertThat(requestIds("actionId", Retries.newActionId())).isEmpty();
        assertThat(requestIds("status", "PENDING")).contains(pending);

        assertThat(Retries.cancel(pending).statusCode()).isEqualTo(200);
        assertThat(requestIds("actionId", actionId, "status", "CANCELLED")).containsExactly(pending);
    }

    @Test
    void listReturnsFiftyByDefaultAndUpToTheLimit() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(404, "not.found", "no such action", "c"));
        int total = 51;
        for (int from = 0; from < total; from += 10) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int n = from; n < Math.min(from + 10, total); n++) {
                batch.add(Retries.request(actionId, "run-" + n));
            }
            List<String> ids = Retries.submitBatch(batch).then().statusCode(200).extract().jsonPath()
                    .getList("results.retry.requestId");
            assertThat(ids).doesNotContainNull();
            ids.forEach(id -> Retries.awaitStatus(id, "FAILED"));
        }

        assertThat(requestIds("actionId", actionId)).hasSize(50);
        assertThat(requestIds("actionId", actionId, "limit", "500")).hasSize(total);
        assertThat(requestIds("actionId", actionId, "limit", "1")).hasSize(1);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({ "limit, 0", "limit, 501", "limit, -1", "limit, ten", "limit, 2.5", "status, DONE", "status, 1" })
    void invalidQueryParameterIsRefused(String parameter, String value) {
        Response refused = given().queryParam(parameter, value).get("/v1/retries");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
        assertThat(refused.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        assertThat(refused.jsonPath().getList("errors.field")).containsExactly(parameter);
    }

    @Test
    void everyInvalidQueryParameterIsListed() {
        Response refused = given().queryParam("limit", 0).queryParam("status", "nope").get("/v1/retries");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.jsonPath().getList("errors.field")).containsExactlyInAnyOrder("limit", "status");
    }

    private static List<String> requestIds(String... parameters) {
        var request = given();
        for (int i = 0; i < parameters.length; i += 2) {
            request = request.queryParam(parameters[i], parameters[i + 1]);
        }
        return request.get("/v1/retries").then().statusCode(200).extract().jsonPath().getList("requestId");
    }
}
