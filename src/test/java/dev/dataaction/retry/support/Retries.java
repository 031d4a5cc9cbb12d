package dev.dataaction.retry.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.oneOf;

import java.time.Duration;
import java.util.List;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Drives the retry API the way a caller does. Every call carries the test API key ({@link GenesysStub}). */
public final class Retries {

    private Retries() {
    }

    /** The body of {@code POST /v1/retries}; {@code payload} is a JSON object. */
    public static String request(String actionId, String originalRunId, String payload) {
        return "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"" + originalRunId + "\",\"requestPayload\":"
                + payload + "}";
    }

    /** Submits a retry that must be accepted, and returns its requestId. */
    public static String submit(String actionId, String originalRunId, String payload) {
        return given().contentType(ContentType.JSON).body(request(actionId, originalRunId, payload))
                .when().post("/v1/retries")
                .then().statusCode(202).extract().path("requestId");
    }

    /** Submits a retry with a small payload that must be accepted, and returns its requestId. */
    public static String submit(String actionId) {
        return submit(actionId, "run-1", "{\"customerId\":\"C-1\"}");
    }

    /** Waits until the retry has {@code status}, and returns its record. */
    public static JsonPath awaitStatus(String requestId, String status) {
        return awaitStatus(requestId, status, Duration.ofSeconds(15));
    }

    public static JsonPath awaitStatus(String requestId, String status, Duration atMost) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> {
            last[0] = find(requestId);
            return status.equals(last[0].getString("status"));
        });
        return last[0];
    }

    public static JsonPath find(String requestId) {
        return given().get("/v1/retries/" + requestId).then().statusCode(200).extract().jsonPath();
    }

    /** Cancels every unfinished retry, so that none is left holding a queue slot for the next test. */
    public static void cancelUnfinished() {
        for (String status : List.of("PENDING", "IN_FLIGHT")) {
            List<String> ids = given().queryParam("status", status).queryParam("limit", 500)
                    .get("/v1/retries").then().statusCode(200).extract().jsonPath().getList("requestId");
            // one may finish between the listing and the cancellation: 409 is fine
            ids.forEach(id -> given().delete("/v1/retries/" + id).then().statusCode(oneOf(200, 409)));
        }
    }

    /** The readiness check's answer: its status and data, whether it is UP or DOWN. */
    public static JsonPath readiness() {
        return given().get("/q/health/ready").then().extract().jsonPath();
    }

    /** Waits until no retry holds a queue slot (an attempt cancelled on the wire gives its slot back when it ends). */
    public static void awaitQueueEmpty() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> readiness().getInt("checks.find { it.name == 'retries' }.data.inUse") == 0);
    }
}
