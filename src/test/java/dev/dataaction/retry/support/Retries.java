package dev.dataaction.retry.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The retry API as a test uses it: submit, follow, list and cancel retries, and leave nothing behind. */
public final class Retries {

    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String PROBLEM_TYPE_PREFIX = "urn:genesys-retry-orchestrator:problem:";
    /** Long enough for any retry under the test profile's timings (max-duration is 20 s) to end. */
    public static final Duration OUTCOME_DEADLINE = Duration.ofSeconds(25);

    private Retries() {
    }

    /** A fresh action id, so that no test sees another's retries or breaker. */
    public static String newActionId() {
        return "a-" + UUID.randomUUID();
    }

    /** A retry request body. */
    public static Map<String, Object> request(String actionId, String originalRunId, Map<String, ?> payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("actionId", actionId);
        body.put("originalRunId", originalRunId);
        body.put("requestPayload", payload);
        return body;
    }

    /** A retry request body with a small payload. */
    public static Map<String, Object> request(String actionId, String originalRunId) {
        return request(actionId, originalRunId, Map.of("customer", "42"));
    }

    /** POSTs a body (a map, or a raw JSON string) to {@code /v1/retries}. */
    public static Response submit(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/retries");
    }

    /** Submits a retry that must be accepted as new, and returns its requestId. */
    public static String submitNew(String actionId, String originalRunId) {
        return submitNew(request(actionId, originalRunId));
    }

    /** Submits a retry that must be accepted as new, and returns its requestId. */
    public static String submitNew(Object body) {
        Response accepted = submit(body);
        assertThat(accepted.statusCode()).as("answer to a new retry: %s", accepted.asString()).isEqualTo(202);
        return accepted.path("requestId");
    }

    /** POSTs a body to {@code /v1/retries/batch}. */
    public static Response submitBatch(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/retries/batch");
    }

    /** The current record of a retry. */
    public static JsonPath record(String requestId) {
        return given().get("/v1/retries/" + requestId).then().statusCode(200).extract().jsonPath();
    }

    /** The retries of one action, newest first. */
    public static List<Map<String, Object>> listOf(String actionId) {
        return given().queryParam("actionId", actionId).queryParam("limit", 500).get("/v1/retries")
                .then().statusCode(200).extract().jsonPath().getList("$");
    }

    public static Response cancel(String requestId) {
        return given().delete("/v1/retries/" + requestId);
    }

    /** Polls the record until it reaches {@code status}. */
    public static JsonPath awaitStatus(String requestId, String status) {
        return awaitStatus(requestId, status, OUTCOME_DEADLINE);
    }

    /** Polls the record until it reaches {@code status}, for at most {@code atMost}. */
    public static JsonPath awaitStatus(String requestId, String status, Duration atMost) {
        return awaitRecord(requestId, record -> status.equals(record.getString("status")), "status " + status, atMost);
    }

    /** Polls the record until it satisfies {@code condition}. */
    public static JsonPath awaitRecord(String requestId, Predicate<JsonPath> condition, String description) {
        return awaitRecord(requestId, condition, description, OUTCOME_DEADLINE);
    }

    private static JsonPath awaitRecord(String requestId, Predicate<JsonPath> condition, String description,
            Duration atMost) {
        JsonPath[] last = new JsonPath[1];
        await(requestId + " reaching " + description).atMost(atMost).pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    last[0] = record(requestId);
                    return condition.test(last[0]);
                });
        return last[0];
    }

    /** Whether a record's status is terminal. */
    public static boolean isFinished(JsonPath record) {
        return !List.of("PENDING", "IN_FLIGHT").contains(record.getString("status"));
    }

    /** Parses a timestamp of a record. */
    public static Instant instant(JsonPath record, String path) {
        return Instant.parse(record.getString(path));
    }

    /**
     * Cancels every unfinished retry and waits until the queue holds none, so that the next test finds an empty queue.
     * Tests finish or cancel their own retries; this is the safety net for a test that failed half-way.
     */
    public static void leaveNothingBehind() {
        for (String status : List.of("PENDING", "IN_FLIGHT")) {
            List<String> unfinished = given().queryParam("status", status).queryParam("limit", 500).get("/v1/retries")
                    .then().statusCode(200).extract().jsonPath().getList("requestId");
            unfinished.forEach(Retries::cancel);
        }
        awaitQueueEmpty();
    }

    /**
     * Waits until no retry holds a queue slot, read from the readiness check so that it works against the packaged
     * application too. An attempt that was on the wire when it was cancelled gives its slot back when it ends.
     */
    public static void awaitQueueEmpty() {
        await("the queue to drain").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(25))
                .until(() -> queueInUse() == 0);
    }

    /**
     * Fills every queue slot with retries of {@code actionId} that wait (the action answers 429 with Retry-After: 2),
     * once the queue is empty, and returns their ids.
     */
    public static List<String> fillQueue(String actionId, int capacity) {
        awaitQueueEmpty();
        GenesysStub.stubSequence(GenesysStub.executePath(actionId), GenesysStub.rateLimited("2"));
        List<String> held = new ArrayList<>(capacity);
        for (int i = 0; i < capacity; i++) {
            held.add(submitAccepted(actionId, "run-" + i, "{}"));
        }
        return held;
    }

    /** The readiness check's answer: its status and data, whether it is UP or DOWN. */
    public static JsonPath readiness() {
        return given().get("/q/health/ready").then().extract().jsonPath();
    }

    /** The body of {@code POST /v1/retries} with {@code payloadJson}, a JSON object, as the payload. */
    public static String requestJson(String actionId, String originalRunId, String payloadJson) {
        return "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"" + originalRunId + "\",\"requestPayload\":"
                + payloadJson + "}";
    }

    /** Submits a retry that must be accepted, and returns its requestId. */
    public static String submitAccepted(String actionId, String originalRunId, String payloadJson) {
        return submitNew(requestJson(actionId, originalRunId, payloadJson));
    }

    /** Submits a retry with a small payload that must be accepted, and returns its requestId. */
    public static String submitAccepted(String actionId) {
        return submitAccepted(actionId, "run-1", "{\"customerId\":\"C-1\"}");
    }

    /** Queue slots held by unfinished retries, from the readiness check. */
    public static int queueInUse() {
        return readiness().getInt("checks.find { it.name == 'retries' }.data.inUse");
    }

    /** The queue's capacity, from the readiness check. */
    public static int queueCapacity() {
        return readiness().getInt("checks.find { it.name == 'retries' }.data.capacity");
    }
}
