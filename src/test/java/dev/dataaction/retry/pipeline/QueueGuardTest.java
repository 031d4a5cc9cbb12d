package dev.dataaction.retry.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The bound on unfinished retries (test profile: 10) and the permits every retry gives back, however it ends. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class QueueGuardTest {

    private static final int MAX_DEPTH = 10;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /**
     * Answers every action whose id starts with {@code prefix}. Each retry gets an action of its own, so that failures
     * of one never open the breaker of another.
     */
    private static void stubActionsStartingWith(String prefix, ResponseDefinitionBuilder answer) {
        GenesysStub.server().stubFor(post(urlMatching(executePath(prefix + "-[0-9-]+"))).willReturn(answer));
    }

    /** Fills the queue with retries that wait about 3 s after their first attempt (429 with Retry-After: 3). */
    private static List<String> fillQueue(String prefix) {
        stubActionsStartingWith(prefix, rateLimited("3"));
        List<String> ids = new ArrayList<>();
        for (int slot = 0; slot < MAX_DEPTH; slot++) {
            ids.add(Retries.submitNew(prefix + "-" + slot, "run-" + slot));
        }
        return ids;
    }

    @Test
    void fullQueueRefusesNewRetriesWith429RetryAfterAndLimitUntilASlotIsFreed() {
        assertThat(Retries.queueCapacity()).isEqualTo(MAX_DEPTH);
        String prefix = Retries.newActionId();
        List<String> queued = fillQueue(prefix);
        String newcomer = Retries.newActionId();
        GenesysStub.stubSequence(executePath(newcomer), ok("{}"));

        Response refused = Retries.submit(Retries.request(newcomer, "run-1"));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("2");
        assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
        JsonPath problem = refused.jsonPath();
        assertThat(problem.getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "queue-full");
        assertThat(problem.getInt("status")).isEqualTo(429);
        assertThat(problem.getInt("limit")).isEqualTo(MAX_DEPTH);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).contains("10");
        assertThat(Retries.listOf(newcomer)).as("nothing stored for a refused retry").isEmpty();

        // a duplicate of a queued retry is still answered with that retry: it needs no slot
        Response duplicate = Retries.submit(Retries.request(prefix + "-3", "run-3"));
        assertThat(duplicate.statusCode()).isEqualTo(200);
        assertThat(duplicate.<String> path("requestId")).isEqualTo(queued.get(3));

        // a batch item is refused the same way, with the problem in its result
        JsonPath batch = Retries.submitBatch(List.of(Retries.request(newcomer, "run-1"))).then().statusCode(200)
                .extract().jsonPath();
        assertThat(batch.getString("results[0].outcome")).isEqualTo("rejected");
        assertThat(batch.getInt("results[0].problem.status")).isEqualTo(429);
        assertThat(batch.getInt("results[0].problem.limit")).isEqualTo(MAX_DEPTH);
        assertThat(batch.getString("results[0].problem.type")).isEqualTo(PROBLEM_TYPE_PREFIX + "queue-full");
        assertThat(Retries.listOf(newcomer)).isEmpty();

        // cancelling one frees its slot at once
        assertThat(Retries.cancel(queued.get(0)).statusCode()).isEqualTo(200);
        String accepted = Retries.submitNew(newcomer, "run-1");
        assertThat(Retries.awaitStatus(accepted, "SUCCEEDED").getList("attempts")).hasSize(1);

        queued.subList(1, MAX_DEPTH).forEach(id -> assertThat(Retries.cancel(id).statusCode()).isEqualTo(200));
        await("every slot to be free").atMost(Duration.ofSeconds(5)).until(() -> Retries.queueInUse() == 0);
    }

    @Test
    void threeTimesMaxDepthRetriesOneAfterAnotherAllSucceed() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ok\":true}"));

        for (int run = 0; run < 3 * MAX_DEPTH; run++) {
            String id = Retries.submitNew(actionId, "run-" + run);
            Retries.awaitStatus(id, "SUCCEEDED");
        }

        assertThat(Retries.listOf(actionId)).hasSize(3 * MAX_DEPTH)
                .allSatisfy(record -> assertThat(record.get("status")).isEqualTo("SUCCEEDED"));
        assertThat(GenesysStub.countOf(executePath(actionId))).isEqualTo(3 * MAX_DEPTH);
        await("every slot to be free").atMost(Duration.ofSeconds(5)).until(() -> Retries.queueInUse() == 0);
    }

    @Test
    void everyWayOfFinishingGivesTheSlotBack() {
        String succeeding = Retries.newActionId();
        String failing = Retries.newActionId();
        String exhausting = Retries.newActionId();
        String cancelled = Retries.newActionId();
        stubActionsStartingWith(succeeding, ok("{}"));
        stubActionsStartingWith(failing, genesysError(404, "not.found", "no such action", "ctx"));
        stubActionsStartingWith(exhausting, rateLimited("30"));
        stubActionsStartingWith(cancelled, rateLimited("3"));
        List<String> prefixes = List.of(succeeding, failing, exhausting, cancelled);

        for (int round = 0; round < 3; round++) {
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int item = 0; item < MAX_DEPTH; item++) {
                batch.add(Retries.request(prefixes.get(item % 4) + "-" + round + "-" + item, "run"));
            }
            JsonPath results = Retries.submitBatch(batch).then().statusCode(200).extract().jsonPath();
            assertThat(results.getList("results.outcome")).as("round %d", round).containsOnly("accepted");
            List<String> ids = results.getList("results.retry.requestId");
            for (int item = 3; item < MAX_DEPTH; item += 4) {
                assertThat(Retries.cancel(ids.get(item)).statusCode()).isEqualTo(200);
            }

            List<String> statuses = ids.stream()
                    .map(id -> Retries.awaitRecord(id, Retries::isFinished, "a terminal status").getString("status"))
                    .toList();
            assertThat(statuses).containsExactly("SUCCEEDED", "FAILED", "EXHAUSTED", "CANCELLED", "SUCCEEDED", "FAILED",
                    "EXHAUSTED", "CANCELLED", "SUCCEEDED", "FAILED");
            await("every slot to be free").atMost(Duration.ofSeconds(5)).until(() -> Retries.queueInUse() == 0);
        }
    }
}
