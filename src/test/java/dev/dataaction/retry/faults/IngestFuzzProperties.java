package dev.dataaction.retry.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.restassured.RestAssured;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever body a caller sends, the API answers with a 2xx, or with a 4xx problem, and never shows a stack trace. These
 * properties talk to the running application; {@link IngestFuzzTest} runs them while it runs (the name keeps Surefire
 * from running them on their own, without an application).
 */
class IngestFuzzProperties {

    /** Tries per property: enough variety, and a suite that stays fast. */
    static final int TRIES = 200;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The requestIds of the retries accepted during a run, in the order they were accepted. */
    static final Queue<String> ACCEPTED = new ConcurrentLinkedQueue<>();
    /** Every requestId accepted by any run: a generated key may repeat one of an earlier run. */
    private static final Set<String> EVER_ACCEPTED = ConcurrentHashMap.newKeySet();
    private static volatile String actionPrefix;

    /** Starts a run with no retry accepted yet; valid generated requests name actions starting with {@code prefix}. */
    static void startRun(String prefix) {
        actionPrefix = prefix;
        ACCEPTED.clear();
    }

    @Provide
    Arbitrary<HostileJson.Body> singleBodies() {
        return HostileJson.singleRequestBodies(actionPrefix);
    }

    @Provide
    Arbitrary<HostileJson.Body> batchBodies() {
        return HostileJson.batchBodies(actionPrefix);
    }

    @Property(tries = TRIES)
    void submissionIsAcceptedOrRefusedWithAProblem(@ForAll("singleBodies") HostileJson.Body body) throws Exception {
        HttpResponse<String> answer = post("/v1/retries", body);

        JsonNode json = assertProperAnswer(answer);
        if (answer.statusCode() == 202) {
            accepted(json.path("requestId").asText());
        } else if (answer.statusCode() == 200) {
            assertThat(json.path("requestId").asText()).as("a duplicate names a retry accepted earlier")
                    .isIn(EVER_ACCEPTED);
        } else {
            assertThat(answer.statusCode()).as("refused: %s", answer.body()).isIn(400, 429);
        }
    }

    @Property(tries = TRIES)
    void batchIsAnsweredItemByItem(@ForAll("batchBodies") HostileJson.Body body) throws Exception {
        HttpResponse<String> answer = post("/v1/retries/batch", body);

        JsonNode json = assertProperAnswer(answer);
        if (answer.statusCode() != 200) {
            assertThat(answer.statusCode()).as("refused batch: %s", answer.body()).isEqualTo(400);
            return;
        }
        JsonNode results = json.path("results");
        if (body.items() >= 0) {
            assertThat(results.size()).as("one result per item").isEqualTo(body.items());
        }
        for (int index = 0; index < results.size(); index++) {
            JsonNode result = results.get(index);
            assertThat(result.path("index").asInt()).isEqualTo(index);
            String requestId = result.path("retry").path("requestId").asText();
            switch (result.path("outcome").asText()) {
                case "accepted" -> accepted(requestId);
                case "duplicate" -> assertThat(requestId).as("a duplicate names a retry accepted earlier")
                        .isIn(EVER_ACCEPTED);
                case "rejected" -> {
                    assertProblem(result.path("problem"));
                    assertThat(result.path("problem").path("status").asInt()).isIn(400, 429);
                }
                default -> throw new AssertionError("unknown outcome in " + result);
            }
        }
    }

    private static void accepted(String requestId) {
        assertThat(EVER_ACCEPTED.add(requestId)).as("%s is a new retry's id", requestId).isTrue();
        ACCEPTED.add(requestId);
    }

    private static HttpResponse<String> post(String path, HostileJson.Body body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-API-Key", GenesysStub.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A 2xx with a JSON body, or a 4xx with a problem body; no stack trace either way. Returns the parsed body. */
    private static JsonNode assertProperAnswer(HttpResponse<String> answer) throws IOException {
        int status = answer.statusCode();
        String body = answer.body();
        String contentType = answer.headers().firstValue("Content-Type").orElse("");
        assertThat(status).as("status of the answer %s", body).matches(code -> code >= 200 && code < 300
                || code >= 400 && code < 500, "a 2xx or a 4xx");
        assertThat(HostileJson.looksLikeAStackTrace(body)).as("a stack trace in %s", body).isFalse();
        JsonNode json = JSON.readTree(body);
        if (status >= 400) {
            assertThat(contentType).as("content type of a %d", status).startsWith(Retries.PROBLEM_JSON);
            assertProblem(json);
            assertThat(json.path("status").asInt()).isEqualTo(status);
        } else {
            assertThat(contentType).startsWith("application/json");
            assertThat(json.isObject()).as("a JSON object: %s", body).isTrue();
        }
        return json;
    }

    private static void assertProblem(JsonNode problem) {
        assertThat(problem.path("type").asText()).startsWith(Retries.PROBLEM_TYPE_PREFIX);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("status").asInt()).isBetween(400, 499);
    }
}
