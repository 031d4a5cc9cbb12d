package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code POST /v1/retries/batch}: up to 100 items, each answered on its own, in input order. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class BatchSubmissionTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void mixedBatchIsAnsweredItemByItemInInputOrder() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ok\":true}"));
        String existing = Retries.submitNew(actionId, "existing");
        Map<String, Object> invalid = Map.of("originalRunId", 5, "requestPayload", Map.of());

        List<Object> items = Arrays.asList(
                Retries.request(actionId, "new-1"),
                Retries.request(actionId, "existing"),
                invalid,
                Retries.request(actionId, "new-2"),
                Retries.request(actionId, "new-1"),
                null);
        Response answer = Retries.submitBatch(items);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonPath results = answer.jsonPath();
        assertThat(results.getList("results.index", Integer.class)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(results.getList("results.outcome")).containsExactly("accepted", "duplicate", "rejected", "accepted",
                "duplicate", "rejected");
        String first = results.getString("results[0].retry.requestId");
        String second = results.getString("results[3].retry.requestId");
        assertThat(first).isNotNull().isNotEqualTo(second).isNotEqualTo(existing);
        assertThat(results.getString("results[1].retry.requestId")).isEqualTo(existing);
        assertThat(results.getString("results[4].retry.requestId")).as("duplicate inside the batch").isEqualTo(first);
        assertThat(results.getString("results[0].retry.status")).isEqualTo("PENDING");
        assertThat(results.getMap("results[0]")).doesNotContainKey("problem");

        assertThat(results.getMap("results[2]")).doesNotContainKey("retry");
        assertThat(results.getString("results[2].problem.type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        assertThat(results.getInt("results[2].problem.status")).isEqualTo(400);
        assertThat(results.getList("results[2].problem.errors.field")).containsExactlyInAnyOrder("[2].actionId",
                "[2].originalRunId");
        assertThat(results.getList("results[5].problem.errors.field")).containsExactly("[5]");

        Retries.awaitStatus(first, "SUCCEEDED");
        Retries.awaitStatus(second, "SUCCEEDED");
        Retries.awaitStatus(existing, "SUCCEEDED");
        await("one execution per accepted retry").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 3);
        assertThat(Retries.listOf(actionId)).extracting(record -> record.get("originalRunId"))
                .containsExactlyInAnyOrder("existing", "new-1", "new-2");
    }

    @Test
    void hundredItemsAreAccepted() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{}"));
        String existing = Retries.submitNew(actionId, "run-1");
        // a hundred repeats of one retry: the batch size is allowed, and duplicates need no queue slot
        List<Map<String, Object>> items = Collections.nCopies(100, Retries.request(actionId, "run-1"));

        JsonPath results = Retries.submitBatch(items).then().statusCode(200).extract().jsonPath();

        assertThat(results.getList("results.index", Integer.class))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        assertThat(results.getList("results.outcome")).containsOnly("duplicate");
        assertThat(results.getList("results.retry.requestId")).containsOnly(existing);
        Retries.awaitStatus(existing, "SUCCEEDED");
    }

    @Test
    void moreThanHundredItemsAreRefusedAndNothingIsQueued() {
        String actionId = Retries.newActionId();
        List<Map<String, Object>> items = new ArrayList<>();
        for (int n = 0; n < 101; n++) {
            items.add(Retries.request(actionId, "run-" + n));
        }

        Response refused = Retries.submitBatch(items);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
        assertThat(refused.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        assertThat(refused.jsonPath().getList("errors.field")).containsExactly("$");
        IngestValidationTest.assertNothingQueued(actionId);
    }

    @Test
    void bodyThatIsNotAnArrayIsRefused() {
        String actionId = Retries.newActionId();

        for (Object body : List.of(Retries.request(actionId, "run-1"), "\"text\"", "[{\"actionId\":")) {
            Response refused = Retries.submitBatch(body);

            assertThat(refused.statusCode()).as("answer to %s", body).isEqualTo(400);
            assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
            assertThat(refused.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        }
        IngestValidationTest.assertNothingQueued(actionId);
    }

    @Test
    void emptyBatchHasNoResults() {
        JsonPath results = Retries.submitBatch(List.of()).then().statusCode(200).extract().jsonPath();

        assertThat(results.getList("results")).isEmpty();
    }
}
