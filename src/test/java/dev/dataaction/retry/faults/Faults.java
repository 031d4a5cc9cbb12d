package dev.dataaction.retry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/** What every fault test checks at its end, and callers that arrive all at once. */
final class Faults {

    /** Genesys' header that carries the requestId of the retry an execution belongs to. */
    static final String CORRELATION_HEADER = "ININ-Correlation-Id";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Faults() {
    }

    /** The application's base URI, as the tests reach it. */
    static URI baseUri() {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port);
    }

    /**
     * POSTs every body to {@code path} at once, each on a connection of its own, and returns the answers in the order of
     * the bodies.
     */
    static List<HttpResponse<String>> postAllAtOnce(String path, List<String> bodies) {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            List<HttpRequest> requests = bodies.stream().map(body -> HttpRequest.newBuilder(baseUri().resolve(path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("X-API-Key", GenesysStub.API_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build()).toList();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>(requests.size());
            for (HttpRequest request : requests) {
                answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            return answers.stream().map(CompletableFuture::join).toList();
        }
    }

    /** The requestId of the retry an answer of {@code POST /v1/retries} carries. */
    static String requestIdOf(HttpResponse<String> answer) {
        return bodyOf(answer).path("requestId").asText(null);
    }

    /** An answer's JSON body. */
    static JsonNode bodyOf(HttpResponse<String> answer) {
        return bodyOf(answer.body());
    }

    /** A JSON body. */
    static JsonNode bodyOf(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException notJson) {
            throw new AssertionError("not JSON: " + body, notJson);
        }
    }

    /**
     * Every retry ends SUCCEEDED, and Genesys saw exactly one execution for each: nothing accepted was lost or executed
     * twice.
     */
    static void assertEachSucceededWithOneExecution(List<String> requestIds) {
        assertThat(requestIds).doesNotHaveDuplicates();
        for (String requestId : requestIds) {
            JsonPath record = Retries.awaitRecord(requestId, Retries::isFinished, "a terminal status");
            assertThat(record.getString("status")).as("outcome of %s", requestId).isEqualTo("SUCCEEDED");
        }
        Map<String, Integer> executions = executionsByRequestId();
        assertThat(requestIds).allSatisfy(requestId -> assertThat(executions.getOrDefault(requestId, 0))
                .as("executions of %s", requestId).isEqualTo(1));
    }

    /**
     * Genesys saw exactly the executions the retry's record shows as attempts: none lost from the record, none sent
     * twice.
     */
    static void assertExecutedAsRecorded(String requestId, JsonPath record) {
        assertThat(executionsByRequestId().getOrDefault(requestId, 0)).as("executions of %s", requestId)
                .isEqualTo(record.getList("attempts").size());
    }

    /** How many executions reached the Genesys stub for each requestId, since its last reset. */
    static Map<String, Integer> executionsByRequestId() {
        Map<String, Integer> executions = new HashMap<>();
        for (ServeEvent event : GenesysStub.server().getAllServeEvents()) {
            String requestId = event.getRequest().getHeader(CORRELATION_HEADER);
            if (requestId != null && event.getRequest().getUrl().endsWith("/execute")) {
                executions.merge(requestId, 1, Integer::sum);
            }
        }
        return executions;
    }

    /** The process is alive and ready, with every queue slot free. */
    static void assertHealthy() {
        Callers.withoutApiKey().get("/q/health/live").then().statusCode(200);
        await("readiness UP with an empty queue").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    JsonPath ready = Callers.withoutApiKey().get("/q/health/ready").then().extract().jsonPath();
                    assertThat(ready.getString("status")).as("readiness %s", ready.prettify()).isEqualTo("UP");
                    assertThat(ready.getInt("checks.find { it.name == 'retries' }.data.inUse")).isZero();
                });
    }
}
