package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code (actionId, originalRunId)} is the idempotency key: while its retry is unfinished or succeeded a repeat gets that
 * retry and nothing runs again; after FAILED, EXHAUSTED or CANCELLED a repeat starts a new retry.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class IdempotencyTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void repeatWhileUnfinishedAndAfterSuccessReturnsTheSameRetryAndExecutesOnce() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("1"), ok("{\"ticket\":\"T-1\"}"));
        String id = Retries.submitNew(actionId, "run-1");

        Response whileUnfinished = Retries.submit(Retries.request(actionId, "run-1"));
        assertThat(whileUnfinished.statusCode()).isEqualTo(200);
        assertThat(whileUnfinished.header("Location")).isNull();
        assertThat(whileUnfinished.<String> path("requestId")).isEqualTo(id);
        assertThat(whileUnfinished.<String> path("status")).isIn("PENDING", "IN_FLIGHT");

        // the payload is not part of the key
        Response otherPayload = Retries.submit(Retries.request(actionId, "run-1", Map.of("customer", "other")));
        assertThat(otherPayload.statusCode()).isEqualTo(200);
        assertThat(otherPayload.<String> path("requestId")).isEqualTo(id);

        Retries.awaitStatus(id, "SUCCEEDED");
        Response afterSuccess = Retries.submit(Retries.request(actionId, "run-1"));
        assertThat(afterSuccess.statusCode()).isEqualTo(200);
        assertThat(afterSuccess.<String> path("requestId")).isEqualTo(id);
        assertThat(afterSuccess.<String> path("status")).isEqualTo("SUCCEEDED");
        assertThat(afterSuccess.<String> path("result.ticket")).isEqualTo("T-1");

        await("no execution for the repeats").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 2);
        assertThat(Retries.listOf(actionId)).hasSize(1);
        assertThat(GenesysStub.requestsTo(executePath(actionId)))
                .allSatisfy(request -> assertThat(request.getBodyAsString()).isEqualTo("{\"customer\":\"42\"}"));
    }

    @Test
    void concurrentRepeatsCreateOneRetry() throws Exception {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{}"));
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int caller = 0; caller < callers; caller++) {
                Callable<Response> submit = () -> {
                    start.await();
                    return Retries.submit(Retries.request(actionId, "run-1"));
                };
                answers.add(pool.submit(submit));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (Future<Response> answer : answers) {
                statuses.add(answer.get().statusCode());
                ids.add(answer.get().path("requestId"));
            }

            assertThat(statuses).containsOnly(200, 202).filteredOn(status -> status == 202).hasSize(1);
            assertThat(ids).containsOnly(ids.get(0));
            Retries.awaitStatus(ids.get(0), "SUCCEEDED");
        } finally {
            pool.shutdownNow();
        }
        await("exactly one execution").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 1);
        assertThat(Retries.listOf(actionId)).hasSize(1);
    }

    @Test
    void repeatAfterFailureStartsANewRetry() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(400, "bad.request", "remote said no", "ctx"),
                ok("{\"second\":true}"));
        String failed = Retries.submitNew(actionId, "run-1");
        Retries.awaitStatus(failed, "FAILED");

        Response redrive = Retries.submit(Retries.request(actionId, "run-1"));

        assertThat(redrive.statusCode()).isEqualTo(202);
        String second = redrive.path("requestId");
        assertThat(second).isNotEqualTo(failed);
        assertThat(Retries.awaitStatus(second, "SUCCEEDED").getString("result.second")).isEqualTo("true");
        assertThat(Retries.record(failed).getString("status")).as("the first retry keeps its outcome").isEqualTo("FAILED");
        assertThat(Retries.listOf(actionId)).extracting(record -> record.get("requestId")).containsExactly(second, failed);
        // a repeat now finds the succeeded retry
        assertThat(Retries.submit(Retries.request(actionId, "run-1")).<String> path("requestId")).isEqualTo(second);
    }

    @Test
    void repeatAfterExhaustionStartsANewRetry() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("30"), ok("{}"));
        String exhausted = Retries.submitNew(actionId, "run-1");
        Retries.awaitStatus(exhausted, "EXHAUSTED");

        String second = Retries.submitNew(actionId, "run-1");

        assertThat(second).isNotEqualTo(exhausted);
        Retries.awaitStatus(second, "SUCCEEDED");
    }

    @Test
    void sameOriginalRunIdOfAnotherActionIsAnotherRetry() {
        String first = Retries.newActionId();
        String second = Retries.newActionId();
        GenesysStub.stubSequence(executePath(first), ok("{}"));
        GenesysStub.stubSequence(executePath(second), ok("{}"));

        String a = Retries.submitNew(first, "shared-run");
        String b = Retries.submitNew(second, "shared-run");

        assertThat(a).isNotEqualTo(b);
        Retries.awaitStatus(a, "SUCCEEDED");
        Retries.awaitStatus(b, "SUCCEEDED");
    }
}
