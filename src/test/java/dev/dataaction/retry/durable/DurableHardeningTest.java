package dev.dataaction.retry.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.PostgresProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * The PostgreSQL store under faults that could stall it, lose a permit or execute an action again and again: a caller
 * who hangs up, values PostgreSQL's jsonb cannot hold, retries found past their deadline, an attempt that ends after
 * another holder took its retry over, a retry held by an open breaker, and a replica yet to write its first heartbeat.
 * Each test checks what the record shows afterwards and, where an action could run twice, how often Genesys saw it.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(PostgresProfile.class)
class DurableHardeningTest {

    private static final String OPEN_CONNECTIONS = "http_server_connections_seconds_active_count";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void aCallerWhoHangsUpWhileItsRetryIsStoredLeavesNoPermitBehindAndTheRetryIsDriven() throws Exception {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        Retries.awaitQueueEmpty();
        double openBefore = Metrics.scrape().value(OPEN_CONNECTIONS);

        try (Connection writesWait = PostgresDatabase.lockAgainstWrites()) {
            Socket caller = new Socket("127.0.0.1", RestAssured.port);
            sendPost(caller, Retries.requestJson(action, "run-hung-up", "{}"));
            await("the retry's INSERT waits for the lock").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> PostgresDatabase.waitingForLock("INSERT INTO retries") > 0);
            caller.setSoLinger(true, 0);
            caller.close();
            await("the service sees the caller gone").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> Metrics.scrape().value(OPEN_CONNECTIONS) <= openBefore);
        }

        await("the committed retry is stored").atMost(Duration.ofSeconds(10)).until(() -> PostgresDatabase
                .query("SELECT request_id FROM retries WHERE original_run_id = 'run-hung-up'").size() == 1);
        String id = PostgresDatabase.query("SELECT request_id FROM retries WHERE original_run_id = 'run-hung-up'")
                .getFirst().get("request_id").toString();
        Retries.awaitStatus(id, "SUCCEEDED");
        Retries.awaitQueueEmpty();
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(action))).hasSize(1);
    }

    @Test
    void aNulCharacterInThePayloadOrTheResultIsStoredAsItCameAndTheActionRunsOnce() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{\"note\":\"a\\u0000b\"}"));

        String id = Retries.submitAccepted(action, "run-nul", "{\"customerId\":\"C\\u00001\"}");
        JsonPath done = Retries.awaitStatus(id, "SUCCEEDED");

        assertThat(done.getString("result.note")).isEqualTo("a\u0000b");
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(action))).singleElement()
                .satisfies(call -> assertThat(call.getBodyAsString()).contains("C\\u00001"));
    }

    @Test
    void aNulCharacterInGenesysErrorIsKeptAndTheActionIsNotExecutedAgain() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(400, "bad.request", "the field \\u0000 is not allowed", "ctx-1"));

        String id = Retries.submitAccepted(action);
        JsonPath failed = Retries.awaitStatus(id, "FAILED");

        assertThat(failed.getString("lastError.message")).isEqualTo("the field \u0000 is not allowed");
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(action))).hasSize(1);
    }

    @Test
    void aRetryFoundPastItsDeadlineIsExhaustedWithoutAnAttempt() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        String id = UUID.randomUUID().toString();
        // as a retry that waited in the backlog, or for a replica to come back, longer than its max-duration
        PostgresDatabase.update("""
                INSERT INTO retries (request_id, action_id, original_run_id, payload, status, due_at, accepted_at, deadline)
                VALUES ('%s', '%s', 'run-late', '{}', 'PENDING', now(), now() - interval '1 hour',
                        now() - interval '1 minute')""".formatted(id, action));

        JsonPath exhausted = Retries.awaitStatus(id, "EXHAUSTED");

        assertThat(exhausted.getString("lastError.code")).isEqualTo("max-duration.reached");
        assertThat(exhausted.getList("attempts")).isEmpty();
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(action))).isEmpty();
    }

    @Test
    void anAttemptThatEndsAfterItsRetryWasTakenOverIsAddedToTheAttemptsOnRecord() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}").withFixedDelay(1_500));
        String id = Retries.submitAccepted(action);
        await("the attempt is on the wire").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> "IN_FLIGHT".equals(column(id, "status")));

        // meanwhile another holder recorded an attempt of its own, and the retry was cancelled
        PostgresDatabase.update("""
                UPDATE retries SET status = 'CANCELLED', completed_at = now(), leased_by = NULL,
                       attempts = attempts || '[{"number":1,"startedAt":"2026-01-01T00:00:00Z","durationMs":0,
                                                 "httpStatus":null,"outcome":"INTERRUPTED"}]'::jsonb
                 WHERE request_id = '%s'""".formatted(id));

        await("the late attempt is on record").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> column(id, "attempts").contains("SUCCESS"));
        assertThat(column(id, "attempts")).as("the other holder's attempt is kept").contains("INTERRUPTED");
        assertThat(column(id, "status")).isEqualTo("CANCELLED");
    }

    @Test
    void aRetryHeldByAnOpenBreakerIsNeverWrittenInFlight() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action),
                GenesysStub.genesysError(503, "service.unavailable", "Down", null));
        // every status the store writes, in order
        PostgresDatabase.update("""
                CREATE TABLE status_written (request_id uuid, status text, at timestamptz DEFAULT clock_timestamp());
                CREATE FUNCTION note_status() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO status_written (request_id, status) VALUES (NEW.request_id, NEW.status); RETURN NEW; END $$;
                CREATE TRIGGER note_status AFTER INSERT OR UPDATE OF status ON retries
                    FOR EACH ROW EXECUTE FUNCTION note_status()""");
        try {
            String id = Retries.submitAccepted(action);
            // three failures open the breaker; the retry then waits for it without an attempt
            Retries.awaitRecord(id, record -> "circuit.open".equals(record.getString("lastError.code")), "held by the breaker");
            Retries.cancel(id);

            long inFlightWrites = PostgresDatabase.query("SELECT count(*) AS n FROM status_written WHERE request_id = '"
                    + id + "' AND status = 'IN_FLIGHT'").getFirst().get("n") instanceof Number n ? n.longValue() : -1;
            assertThat(inFlightWrites).as("IN_FLIGHT written once per call Genesys received")
                    .isEqualTo(GenesysStub.requestsTo(GenesysStub.executePath(action)).size());
        } finally {
            PostgresDatabase.update("DROP TRIGGER IF EXISTS note_status ON retries; DROP FUNCTION IF EXISTS note_status(); "
                    + "DROP TABLE IF EXISTS status_written");
        }
    }

    @Test
    void aReplicaThatHasNotYetWrittenItsHeartbeatKeepsItsAttemptForTheReplicaTimeout() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        String id = UUID.randomUUID().toString();
        // an attempt on the wire in a replica that started a moment ago: its lease is fresh, its heartbeat not written yet
        PostgresDatabase.update("""
                INSERT INTO retries (request_id, action_id, original_run_id, payload, status, due_at, attempt_number,
                                     attempts_used, accepted_at, deadline, leased_by, lease_until)
                VALUES ('%s', '%s', 'run-new-replica', '{}', 'IN_FLIGHT', now(), 1, 1, now(), now() + interval '1 hour',
                        'replica-just-started', now() + interval '3 seconds')""".formatted(id, action));

        await("nobody takes it while the lease is younger than the replica timeout").during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(3)).until(() -> "replica-just-started".equals(column(id, "leased_by")));

        // the same replica, its lease taken longer than the replica timeout (15 s) ago and still no heartbeat: it is gone
        PostgresDatabase.update("UPDATE retries SET lease_until = now() - interval '13 seconds' WHERE request_id = '"
                + id + "'");
        JsonPath done = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(done.getList("attempts.outcome")).containsExactly("INTERRUPTED", "SUCCESS");
    }

    private static String column(String requestId, String column) {
        return String.valueOf(PostgresDatabase.query("SELECT " + column + " FROM retries WHERE request_id = '"
                + requestId + "'").getFirst().get(column));
    }

    private static void sendPost(Socket caller, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/retries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "X-API-Key: " + GenesysStub.API_KEY + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        OutputStream out = caller.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
