package dev.dataaction.retry.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Dead letters: failed and exhausted retries stay queryable and can be started again, one by one or in bulk. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class RedriveTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void redrivingAFailedRetryStartsANewOneWithTheSamePayload() {
        String action = Retries.newActionId();
        String path = GenesysStub.executePath(action);
        GenesysStub.stubSequence(path, GenesysStub.genesysError(400, "bad.request", "Missing field", "ctx-1"),
                GenesysStub.ok("{\"ticket\":\"T-9\"}"));
        String failed = Retries.submitAccepted(action, "run-7", "{\"customerId\":\"C-7\"}");
        Retries.awaitStatus(failed, "FAILED");

        Response redriven = given().post("/v1/retries/" + failed + "/redrive");

        assertThat(redriven.statusCode()).as(redriven.asString()).isEqualTo(202);
        String fresh = redriven.path("requestId");
        assertThat(fresh).isNotEqualTo(failed);
        assertThat(redriven.header("Location")).endsWith("/v1/retries/" + fresh);
        assertThat(redriven.<String> path("actionId")).isEqualTo(action);
        assertThat(redriven.<String> path("originalRunId")).isEqualTo("run-7");
        JsonPath done = Retries.awaitStatus(fresh, "SUCCEEDED");
        assertThat(done.getString("result.ticket")).isEqualTo("T-9");
        assertThat(GenesysStub.requestsTo(path)).hasSize(2)
                .allSatisfy(request -> assertThat(request.getBodyAsString()).isEqualTo("{\"customerId\":\"C-7\"}"));
        assertThat(Retries.record(failed).getString("status")).as("the dead letter stays as it was").isEqualTo("FAILED");
    }

    @Test
    void aSecondRedriveReturnsTheRetryThatNowHoldsTheKey() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(400, "bad.request", "Missing field", null), GenesysStub.ok("{}"));
        String failed = Retries.submitAccepted(action);
        Retries.awaitStatus(failed, "FAILED");
        String fresh = given().post("/v1/retries/" + failed + "/redrive").then().statusCode(202).extract()
                .path("requestId");
        Retries.awaitStatus(fresh, "SUCCEEDED");

        given().post("/v1/retries/" + failed + "/redrive").then().statusCode(200)
                .body("requestId", org.hamcrest.Matchers.equalTo(fresh));
        assertThat(GenesysStub.countOf(GenesysStub.executePath(action))).isEqualTo(2);
    }

    @Test
    void onlyFinishedUnsuccessfulRetriesCanBeRedriven() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        String succeeded = Retries.submitAccepted(action);
        Retries.awaitStatus(succeeded, "SUCCEEDED");

        given().post("/v1/retries/" + succeeded + "/redrive").then().statusCode(409)
                .contentType(Retries.PROBLEM_JSON)
                .body("type", org.hamcrest.Matchers.equalTo(Retries.PROBLEM_TYPE_PREFIX + "not-redrivable"))
                .body("detail", org.hamcrest.Matchers.containsString("SUCCEEDED"));
        given().post("/v1/retries/6a1f1f53-35b4-4b5e-9d0c-8d4c9f0c2a11/redrive").then().statusCode(404)
                .contentType(Retries.PROBLEM_JSON);
        given().post("/v1/retries/not-a-uuid/redrive").then().statusCode(404).contentType(Retries.PROBLEM_JSON);
    }

    @Test
    void bulkRedriveTakesTheNewestExhaustedRetriesOfAnActionUpToTheLimit() {
        String action = Retries.newActionId();
        String path = GenesysStub.executePath(action);
        GenesysStub.stubSequence(path, GenesysStub.genesysError(503, "service.unavailable", "Down", null));
        List<String> exhausted = List.of(Retries.submitAccepted(action, "run-a", "{}"),
                Retries.submitAccepted(action, "run-b", "{}"), Retries.submitAccepted(action, "run-c", "{}"));
        exhausted.forEach(id -> Retries.awaitStatus(id, "EXHAUSTED"));
        GenesysStub.stubSequence(path, GenesysStub.ok("{}"));

        JsonPath first = bulkRedrive(action, 2);
        assertThat(first.getList("results.outcome")).containsExactly("accepted", "accepted");
        assertThat(first.getList("results.retry.originalRunId")).containsExactly("run-c", "run-b");
        JsonPath second = bulkRedrive(action, 2);
        assertThat(second.getList("results.retry.originalRunId")).as("keys already redriven are skipped")
                .containsExactly("run-a");
        assertThat(bulkRedrive(action, 2).getList("results")).isEmpty();

        for (JsonPath batch : List.of(first, second)) {
            batch.<String> getList("results.retry.requestId").forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
        }
        given().queryParam("status", "EXHAUSTED").queryParam("actionId", action).get("/v1/retries").then()
                .statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void bulkRedriveNamesAMissingOrUnsuitableStatus() {
        for (String status : new String[] { null, "PENDING", "SUCCEEDED", "LOST" }) {
            var request = given().queryParam("limit", 10);
            if (status != null) {
                request.queryParam("status", status);
            }
            request.post("/v1/retries/redrive").then().statusCode(400).contentType(Retries.PROBLEM_JSON)
                    .body("errors.field", org.hamcrest.Matchers.hasItem("status"));
        }
        given().queryParam("status", "FAILED").queryParam("limit", 0).post("/v1/retries/redrive").then()
                .statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItem("limit"));
    }

    private static JsonPath bulkRedrive(String action, int limit) {
        return given().queryParam("status", "EXHAUSTED").queryParam("actionId", action).queryParam("limit", limit)
                .post("/v1/retries/redrive").then().statusCode(200).extract().jsonPath();
    }
}
