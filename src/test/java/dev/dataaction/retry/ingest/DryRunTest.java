package dev.dataaction.retry.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.DisabledOnIntegrationTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Dry runs ({@code POST /v1/retries/{id}/test}): Genesys' test endpoint runs the retry's action with its payload and the
 * service returns Genesys' report, leaving the retry as it was; the call waits under the traffic limits as an attempt
 * does, and is audited. And the {@code flatten} option, which both executions and dry runs pass on to Genesys.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class DryRunTest {

    private static final String PAYLOAD = "{\"customerId\":\"C-7\"}";
    private static final String REMOTE_REFUSAL = "{\"message\":\"The remote endpoint rejected the request\","
            + "\"code\":\"bad.request\",\"status\":400,\"contextId\":\"ctx-remote\","
            + "\"details\":[{\"errorCode\":\"ACTION.REMOTE_ENDPOINT\"}]}";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void aDryRunReturnsGenesysReportAndLeavesTheRetryAsItWas() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action), GenesysStub.testReport("{\"ticket\":\"T-1\"}", null));

        Response tested = dryRun(failed);

        assertThat(tested.statusCode()).as(tested.asString()).isEqualTo(200);
        assertThat(tested.<String> path("requestId")).isEqualTo(failed);
        assertThat(tested.<String> path("actionId")).isEqualTo(action);
        assertThat(tested.<Boolean> path("success")).isTrue();
        assertThat(tested.<String> path("finalResult.ticket")).isEqualTo("T-1");
        assertThat(tested.<List<String>> path("operations.name")).containsExactly("Resolve request", "Execute request");
        assertThat(tested.<Boolean> path("flatten")).isFalse();
        LoggedRequest sent = GenesysStub.requestsTo(GenesysStub.testPath(action)).getFirst();
        assertThat(sent.getBodyAsString()).isEqualTo(PAYLOAD);
        assertThat(sent.getHeader("ININ-Correlation-Id")).isEqualTo(failed);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + GenesysStub.ACCESS_TOKEN);
        JsonPath after = Retries.record(failed);
        assertThat(after.getString("status")).isEqualTo("FAILED");
        assertThat(after.getList("attempts")).hasSize(1);
        assertThat(GenesysStub.countOf(GenesysStub.executePath(action))).as("no attempt was made").isEqualTo(1);
    }

    @Test
    @DisabledOnIntegrationTest("reads the audit trail in this JVM's log")
    void everyDryRunIsAuditedWithWhoAskedAndWhatGenesysAnswered() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action), GenesysStub.testReport("{\"ticket\":\"T-1\"}", null),
                GenesysStub.testReport(null, REMOTE_REFUSAL),
                GenesysStub.genesysError(404, "not.found", "Action not found", "ctx-404"));

        List.of(200, 200, 502).forEach(status -> assertThat(dryRun(failed).statusCode()).isEqualTo(status));

        List<Captured> events = await().atMost(Duration.ofSeconds(10))
                .until(() -> audit.eventsOf(failed, "RETRY_TESTED"), found -> found.size() == 3);
        assertThat(events).allSatisfy(event -> {
            assertThat(event.field("by")).isEqualTo("unlabelled");
            assertThat(event.field("actionId")).isEqualTo(action);
        });
        assertThat(events).extracting(event -> event.field("httpStatus")).containsExactly("200", "200", "404");
        assertThat(events).extracting(event -> event.field("success")).containsExactly("true", "false", null);
        assertThat(events.get(2).field("errorCode")).isEqualTo("not.found");
        assertThat(audit.text()).as("neither the payload nor the result").doesNotContain("C-7").doesNotContain("T-1");
    }

    @Test
    void aDryRunThatFailsAtTheRemoteEndpointIsReportedAsGenesysGaveIt() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action), GenesysStub.testReport(null, REMOTE_REFUSAL));

        Response tested = dryRun(failed);

        assertThat(tested.statusCode()).as(tested.asString()).isEqualTo(200);
        assertThat(tested.<Boolean> path("success")).isFalse();
        assertThat(tested.<String> path("error.details[0].errorCode")).isEqualTo("ACTION.REMOTE_ENDPOINT");
        assertThat(tested.<Boolean> path("operations[1].success")).isFalse();
        assertThat(tested.<Object> path("finalResult")).isNull();
    }

    @Test
    void aRetryAskingForFlattenedOutputPassesFlattenToEveryExecutionItsDryRunAndItsRedrive() {
        String action = Retries.newActionId();
        String flattened = GenesysStub.executePath(action) + "?flatten=true";
        GenesysStub.stubSequence(flattened, GenesysStub.genesysError(400, "bad.request", "Missing field", "ctx-1"),
                GenesysStub.ok("{\"ticket.id\":\"T-2\"}"));
        GenesysStub.stubSequence(GenesysStub.testPath(action) + "?flatten=true",
                GenesysStub.testReport("{\"ticket.id\":\"T-2\"}", null));
        Response accepted = Retries.submit(Map.of("actionId", action, "originalRunId", "run-1", "requestPayload",
                Map.of("customerId", "C-7"), "flatten", true));
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String failed = accepted.path("requestId");
        assertThat(accepted.<Boolean> path("flatten")).isTrue();
        Retries.awaitStatus(failed, "FAILED");

        Response tested = dryRun(failed);
        assertThat(tested.statusCode()).as(tested.asString()).isEqualTo(200);
        assertThat(tested.<Boolean> path("flatten")).isTrue();
        String redriven = given().post("/v1/retries/" + failed + "/redrive").then().statusCode(202).extract()
                .path("requestId");

        JsonPath done = Retries.awaitStatus(redriven, "SUCCEEDED");
        assertThat(done.getBoolean("flatten")).isTrue();
        assertThat(done.getString("result.'ticket.id'")).isEqualTo("T-2");
        assertThat(GenesysStub.countOf(flattened)).isEqualTo(2);
        assertThat(GenesysStub.countOf(GenesysStub.executePath(action))).as("never without the option").isZero();
    }

    @Test
    void flattenIsTrueOrFalse() {
        Response refused = Retries.submit(Map.of("actionId", Retries.newActionId(), "originalRunId", "run-1",
                "requestPayload", Map.of(), "flatten", "yes"));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.<List<String>> path("errors.field")).containsExactly("flatten");
        assertThat(refused.<List<String>> path("errors.message")).containsExactly("must be true or false");
        String plain = Retries.submitAccepted(Retries.newActionId());
        assertThat(Retries.record(plain).getBoolean("flatten")).as("the default").isFalse();
    }

    @Test
    void onlyAKnownRetryCanBeDryRun() {
        given().post("/v1/retries/6a1f1f53-35b4-4b5e-9d0c-8d4c9f0c2a11/test").then().statusCode(404)
                .contentType(Retries.PROBLEM_JSON);
        given().post("/v1/retries/not-a-uuid/test").then().statusCode(404).contentType(Retries.PROBLEM_JSON);
    }

    @Test
    void genesysRefusingTheDryRunItselfIsA502NamingWhatGenesysSaid() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action),
                GenesysStub.genesysError(404, "not.found", "Action not found", "ctx-404"));

        Response refused = dryRun(failed);

        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.contentType()).startsWith(Retries.PROBLEM_JSON);
        assertThat(refused.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "genesys-refused");
        assertThat(refused.<String> path("detail")).contains("404").contains("not.found").contains("ctx-404")
                .contains("Action not found").doesNotContain(GenesysStub.ACCESS_TOKEN);
    }

    @Test
    void aRateLimitedDryRunHoldsItsActionAsAnAttemptWould() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action), GenesysStub.rateLimited("2"));

        Response limited = dryRun(failed);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "genesys-rate-limited");
        assertThat(limited.header("Retry-After")).isEqualTo("2");
        assertThat(given().get("/v1/actions/" + action).then().statusCode(200).extract().<String> path("rateLimitedUntil"))
                .as("the action's retries wait out the Retry-After too").isNotNull();
    }

    @Test
    void aDryRunWaitsForASlotUnderItsActionsLimitsAndGivesUpWithA429() {
        String action = Retries.newActionId();
        String failed = deadLetter(action, "run-1");
        GenesysStub.stubSequence(GenesysStub.testPath(action), GenesysStub.testReport("{}", null));
        // one attempt every 100 s: the first dry run takes the only token
        given().contentType(ContentType.JSON).body("{\"maxPerSecond\":0.01}").put("/v1/actions/" + action + "/limits")
                .then().statusCode(200);

        assertThat(dryRun(failed).statusCode()).isEqualTo(200);
        Response busy = dryRun(failed);

        assertThat(busy.statusCode()).as(busy.asString()).isEqualTo(429);
        assertThat(busy.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "limits-busy");
        assertThat(busy.header("Retry-After")).isEqualTo("1");
        assertThat(GenesysStub.countOf(GenesysStub.testPath(action))).as("nothing was sent").isEqualTo(1);
    }

    /** A retry that Genesys refused for good: a dead letter, the case a dry run is for. */
    private static String deadLetter(String action, String runId) {
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(400, "bad.request", "Missing field", "ctx-1"));
        String failed = Retries.submitAccepted(action, runId, PAYLOAD);
        Retries.awaitStatus(failed, "FAILED");
        return failed;
    }

    private static Response dryRun(String requestId) {
        return given().post("/v1/retries/" + requestId + "/test");
    }
}
