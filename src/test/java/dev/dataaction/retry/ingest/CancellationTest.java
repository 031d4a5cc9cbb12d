package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** {@code DELETE /v1/retries/{id}}: 200 CANCELLED for an unfinished retry, 409 for a finished one, 404 for none. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class CancellationTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void cancellingAWaitingRetryDropsItsNextAttemptAndFreesTheKey() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId),
                genesysError(503, "service.unavailable", "down", "ctx").withHeader("Retry-After", "3"),
                ok("{\"second\":true}"));
        String id = Retries.submitNew(actionId, "run-1");
        JsonPath waiting = Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1
                && "PENDING".equals(record.getString("status")), "waiting for its second attempt");
        Instant wasDue = Retries.instant(waiting, "nextAttemptAt");

        Response cancelled = Retries.cancel(id);

        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.<String> path("requestId")).isEqualTo(id);
        assertThat(cancelled.<String> path("status")).isEqualTo("CANCELLED");
        assertThat(cancelled.<String> path("nextAttemptAt")).isNull();
        assertThat(cancelled.<String> path("completedAt")).isNotNull();
        assertThat(cancelled.jsonPath().getList("attempts")).hasSize(1);
        assertThat(Retries.queueInUse()).as("slots held right after the cancellation").isZero();
        assertThat(Retries.record(id).getString("status")).isEqualTo("CANCELLED");
        Duration untilPastDue = Duration.between(Instant.now(), wasDue).plusMillis(700);
        await("no attempt after the cancellation").during(untilPastDue).atMost(untilPastDue.plusSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 1);
        assertThat(Retries.record(id).getString("status")).isEqualTo("CANCELLED");

        // the key is free again: a new submission is a new retry
        String again = Retries.submitNew(actionId, "run-1");
        assertThat(again).isNotEqualTo(id);
        assertThat(Retries.awaitStatus(again, "SUCCEEDED").getString("result.second")).isEqualTo("true");
    }

    @Test
    void cancellingDuringAnAttemptKeepsItsOutcomeButStartsNoOther() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(503, "service.unavailable", "slow", "ctx")
                .withFixedDelay(1_000), ok("{}"));
        String id = Retries.submitNew(actionId, "run-1");
        Retries.awaitStatus(id, "IN_FLIGHT");

        Response cancelled = Retries.cancel(id);

        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.<String> path("status")).isEqualTo("CANCELLED");
        JsonPath record = Retries.awaitRecord(id, r -> r.getList("attempts").size() == 1, "its attempt recorded");
        assertThat(record.getString("status")).isEqualTo("CANCELLED");
        assertThat(record.getList("attempts.outcome")).containsExactly("SERVER_ERROR");
        await("the slot to be given back").atMost(Duration.ofSeconds(5)).until(() -> Retries.queueInUse() == 0);
        await("no further attempt").during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 1);
    }

    @Test
    void cancellingAFinishedRetryIsAConflictAndChangesNothing() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ticket\":\"T-2\"}"));
        String id = Retries.submitNew(actionId, "run-1");
        JsonPath before = Retries.awaitStatus(id, "SUCCEEDED");

        Response conflict = Retries.cancel(id);

        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith(PROBLEM_JSON);
        assertThat(conflict.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "already-finished");
        assertThat(conflict.<Integer> path("status")).isEqualTo(409);
        assertThat(conflict.<String> path("detail")).contains("SUCCEEDED");
        JsonPath after = Retries.record(id);
        assertThat(after.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(after.getString("completedAt")).isEqualTo(before.getString("completedAt"));
        assertThat(after.getString("result.ticket")).isEqualTo("T-2");
    }

    @Test
    void cancellingTwiceIsAConflictTheSecondTime() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.rateLimited("3"));
        String id = Retries.submitNew(actionId, "run-1");

        assertThat(Retries.cancel(id).statusCode()).isEqualTo(200);
        Response second = Retries.cancel(id);

        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(second.<String> path("detail")).contains("CANCELLED");
    }

    @Test
    void cancellingAnUnknownRetryIsNotFound() {
        for (String unknown : new String[] { UUID.randomUUID().toString(), "not-a-uuid" }) {
            Response missing = Retries.cancel(unknown);

            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.contentType()).startsWith(PROBLEM_JSON);
            assertThat(missing.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "not-found");
            assertThat(missing.<Integer> path("status")).isEqualTo(404);
        }
    }
}
