package dev.dataaction.retry.genesys;

import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.json;
import static dev.dataaction.retry.support.GenesysStub.runsPath;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** {@code genesys.mode=runs}: the run-submission contract, whose answer's {@code id} becomes the record's runId. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(RunsModeTest.RunsMode.class)
class RunsModeTest {

    /** Selects the run-submission contract. */
    public static class RunsMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genesys.mode", "runs");
        }
    }

    private final ObjectMapper json = new ObjectMapper();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void submitsRunsWithMetadataAndRecordsTheRunId() throws Exception {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(runsPath(actionId), genesysError(503, "service.unavailable", "down", "ctx"),
                json(202, "{\"id\":\"run-4711\",\"status\":\"QUEUED\"}"));

        String id = Retries.submitNew(Retries.request(actionId, "orig-77", Map.of("customer", "42")));

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getString("runId")).isEqualTo("run-4711");
        assertThat(record.getString("result.status")).isEqualTo("QUEUED");
        assertThat(record.getList("attempts.outcome")).containsExactly("SERVER_ERROR", "SUCCESS");
        assertThat(record.getList("attempts.httpStatus", Integer.class)).containsExactly(503, 202);

        List<LoggedRequest> runs = GenesysStub.requestsTo(runsPath(actionId));
        assertThat(runs).hasSize(2);
        for (int attempt = 1; attempt <= 2; attempt++) {
            LoggedRequest run = runs.get(attempt - 1);
            JsonNode body = json.readTree(run.getBodyAsString());
            assertThat(body.get("payload")).isEqualTo(json.readTree("{\"customer\":\"42\"}"));
            assertThat(body.at("/metadata/originalRunId").asText()).isEqualTo("orig-77");
            assertThat(body.at("/metadata/retryAttempt").asInt()).isEqualTo(attempt);
            assertThat(body.at("/metadata/requestId").asText()).isEqualTo(id);
            assertThat(run.getHeader("ININ-Correlation-Id")).isEqualTo(id);
            assertThat(run.getHeader("Authorization")).isEqualTo("Bearer " + GenesysStub.ACCESS_TOKEN);
        }
        assertThat(GenesysStub.apiRequests()).as("nothing sent to the execute endpoint").isEqualTo(2);
    }

    @Test
    void answerWithoutAnIdLeavesTheRunIdEmpty() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(runsPath(actionId), json(200, "{\"accepted\":true}"));

        JsonPath record = Retries.awaitStatus(Retries.submitNew(actionId, "orig-1"), "SUCCEEDED");

        assertThat(record.getString("runId")).isNull();
        assertThat(record.getString("result.accepted")).isEqualTo("true");
    }
}
