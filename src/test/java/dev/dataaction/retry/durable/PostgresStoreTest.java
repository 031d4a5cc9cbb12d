package dev.dataaction.retry.durable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.store.PostgresRetryStore;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.PostgresProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** What the PostgreSQL store keeps, and when: the database is read directly to see it. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(PostgresProfile.class)
class PostgresStoreTest {

    @Inject
    PostgresRetryStore store;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void anAcceptedRetryIsCommittedBeforeTheAnswer() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("2"));

        String id = Retries.submitAccepted(action, "run-1", "{\"customerId\":\"C-1\"}");

        Map<String, Object> row = row(id);
        // its first attempt may already have started: the point is that the row was there when the 202 came
        assertThat(row.get("status")).isIn("PENDING", "IN_FLIGHT");
        assertThat(row.get("action_id")).isEqualTo(action);
        assertThat(row.get("payload").toString()).isEqualTo("{\"customerId\":\"C-1\"}");
        Retries.cancel(id).then().statusCode(200);
        assertThat(row(id).get("status")).isEqualTo("CANCELLED");
    }

    @Test
    void everyAttemptIsWrittenAndAFinishedRetryHoldsNoLease() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(503, "service.unavailable", "Down", null), GenesysStub.ok("{\"ticket\":\"T-2\"}"));

        String id = Retries.submitAccepted(action);
        Retries.awaitStatus(id, "SUCCEEDED");

        Map<String, Object> row = row(id);
        assertThat(row.get("attempts_used")).isEqualTo(2);
        assertThat(row.get("attempts").toString()).contains("SERVER_ERROR").contains("SUCCESS");
        assertThat(row.get("result").toString()).contains("T-2");
        assertThat(row.get("leased_by")).isNull();
        assertThat(row.get("lease_until")).isNull();
        assertThat(row.get("completed_at")).isNotNull();
    }

    @Test
    void aRetryWaitingLongerThanTheClaimHorizonIsHandedBackAndClaimedWhenDue() {
        String action = Retries.newActionId();
        // Retry-After 2 s is beyond the test profile's claim-ahead of 1 s
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("2"), GenesysStub.ok("{}"));
        String id = Retries.submitAccepted(action);

        JsonPath waiting = Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1
                && "PENDING".equals(record.getString("status")), "its first attempt");
        await("the retry to be handed back").atMost(Duration.ofSeconds(5))
                .until(() -> row(id).get("leased_by") == null);

        Retries.awaitStatus(id, "SUCCEEDED");
        Instant due = Retries.instant(waiting, "nextAttemptAt");
        Instant secondAttempt = Instant.parse(Retries.record(id).getString("attempts[1].startedAt"));
        assertThat(secondAttempt).as("claimed again and started when due, not before").isAfterOrEqualTo(due);
    }

    @Test
    void aRetryCancelledThroughAnotherReplicaIsNotAttemptedAgain() {
        String action = Retries.newActionId();
        String path = GenesysStub.executePath(action);
        // a wait within the claim horizon: the retry waits on this instance's timer, holding its lease
        GenesysStub.stubSequence(path, GenesysStub.rateLimited("1"), GenesysStub.ok("{}"));
        String id = Retries.submitAccepted(action);
        Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1, "its first attempt");

        // what a DELETE answered by another replica writes
        PostgresDatabase.update("UPDATE retries SET status = 'CANCELLED', completed_at = now(), due_at = NULL, "
                + "leased_by = NULL, lease_until = NULL WHERE request_id = '" + id + "' AND status = 'PENDING'");

        Retries.awaitQueueEmpty();
        assertThat(GenesysStub.countOf(path)).as("attempts after the cancellation").isEqualTo(1);
        assertThat(Retries.record(id).getString("status")).isEqualTo("CANCELLED");
    }

    @Test
    void theUniqueIndexLetsOneRetryHoldAKey() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("2"));
        String id = Retries.submitAccepted(action, "run-1", "{}");

        assertThatThrownBy(() -> PostgresDatabase.update("""
                INSERT INTO retries (request_id, action_id, original_run_id, payload, status, accepted_at, deadline)
                VALUES (gen_random_uuid(), '%s', 'run-1', '{}', 'PENDING', now(), now())""".formatted(action)))
                .rootCause().hasMessageContaining("duplicate key").hasMessageContaining("retries_key_holder");
        Retries.cancel(id).then().statusCode(200);
        assertThat(PostgresDatabase.update("""
                INSERT INTO retries (request_id, action_id, original_run_id, payload, status, accepted_at, deadline,
                                     completed_at)
                VALUES (gen_random_uuid(), '%s', 'run-1', '{}', 'FAILED', now(), now(), now())""".formatted(action)))
                .as("a finished, unsuccessful retry does not hold the key").isEqualTo(1);
    }

    @Test
    void deadLettersStayQueryableByStatus() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(400, "bad.request", "Missing field", null));
        List<String> failed = List.of(Retries.submitAccepted(action, "run-1", "{}"),
                Retries.submitAccepted(action, "run-2", "{}"));
        failed.forEach(id -> Retries.awaitStatus(id, "FAILED"));

        List<String> listed = given().queryParam("status", "FAILED").queryParam("actionId", action).get("/v1/retries")
                .then().statusCode(200).extract().jsonPath().getList("requestId");
        assertThat(listed).containsExactly(failed.get(1), failed.get(0));
    }

    @Test
    void thePurgeDeletesOnlyRetriesThatFinishedBeforeTheCutoff() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        String old = Retries.submitAccepted(action, "run-old", "{}");
        String recent = Retries.submitAccepted(action, "run-recent", "{}");
        Retries.awaitStatus(old, "SUCCEEDED");
        Retries.awaitStatus(recent, "SUCCEEDED");
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("2"));
        String waiting = Retries.submitAccepted(action, "run-waiting", "{}");
        PostgresDatabase.update("UPDATE retries SET completed_at = now() - interval '2 days' WHERE request_id = '"
                + old + "'");

        long purged = store.purge(Instant.now().minus(Duration.ofDays(1))).await().atMost(Duration.ofSeconds(10));

        assertThat(purged).isEqualTo(1);
        given().get("/v1/retries/" + old).then().statusCode(404);
        given().get("/v1/retries/" + recent).then().statusCode(200);
        given().get("/v1/retries/" + waiting).then().statusCode(200);
        Retries.cancel(waiting).then().statusCode(200);
    }

    private static Map<String, Object> row(String requestId) {
        List<Map<String, Object>> rows = PostgresDatabase.query(
                "SELECT * FROM retries WHERE request_id = '" + requestId + "'");
        assertThat(rows).as("rows of retry %s", requestId).hasSize(1);
        return rows.get(0);
    }
}
