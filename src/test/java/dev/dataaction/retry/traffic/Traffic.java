package dev.dataaction.retry.traffic;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** The runtime controls as a test uses them: {@code /v1/actions} and {@code /v1/limits}, with the test API key. */
final class Traffic {

    private Traffic() {
    }

    /** {@code GET /v1/actions/{actionId}}, which must answer 200. */
    static JsonPath action(String actionId) {
        Response answer = given().get("/v1/actions/" + actionId);
        assertThat(answer.statusCode()).as("GET /v1/actions/%s: %s", actionId, answer.asString()).isEqualTo(200);
        return answer.jsonPath();
    }

    /** {@code PUT /v1/actions/{actionId}/limits} with a raw JSON body. */
    static Response setActionLimits(String actionId, String body) {
        return setActionLimits(given(), actionId, body);
    }

    static Response setActionLimits(RequestSpecification as, String actionId, String body) {
        return as.contentType(ContentType.JSON).body(body).put("/v1/actions/" + actionId + "/limits");
    }

    /** Sets an action's limits, which must be accepted; returns the action. */
    static JsonPath limitAction(String actionId, String body) {
        Response answer = setActionLimits(actionId, body);
        assertThat(answer.statusCode()).as("PUT limits of %s: %s", actionId, answer.asString()).isEqualTo(200);
        return answer.jsonPath();
    }

    /** {@code PUT /v1/limits} with a raw JSON body. */
    static Response setServiceLimits(String body) {
        return setServiceLimits(given(), body);
    }

    static Response setServiceLimits(RequestSpecification as, String body) {
        return as.contentType(ContentType.JSON).body(body).put("/v1/limits");
    }

    /** {@code GET /v1/limits}. */
    static JsonPath serviceLimits() {
        return given().get("/v1/limits").then().statusCode(200).extract().jsonPath();
    }

    /** Returns the service's limits to the configured ones. */
    static void restoreServiceLimits() {
        setServiceLimits("{}").then().statusCode(200);
    }

    /** Pauses an action, saying why; the pause must be accepted. Returns the action. */
    static JsonPath pause(String actionId, String reason) {
        return pause(given(), actionId, reason);
    }

    static JsonPath pause(RequestSpecification as, String actionId, String reason) {
        Response answer = as.contentType(ContentType.JSON).body("{\"reason\":\"" + reason + "\"}")
                .post("/v1/actions/" + actionId + "/pause");
        assertThat(answer.statusCode()).as("pause %s: %s", actionId, answer.asString()).isEqualTo(200);
        return answer.jsonPath();
    }

    /** Resumes an action; the resume must be accepted. Returns the action. */
    static JsonPath resume(String actionId) {
        return resume(given(), actionId);
    }

    static JsonPath resume(RequestSpecification as, String actionId) {
        Response answer = as.post("/v1/actions/" + actionId + "/resume");
        assertThat(answer.statusCode()).as("resume %s: %s", actionId, answer.asString()).isEqualTo(200);
        return answer.jsonPath();
    }
}
