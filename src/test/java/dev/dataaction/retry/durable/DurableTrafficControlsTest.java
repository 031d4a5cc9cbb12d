package dev.dataaction.retry.durable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.PostgresProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Pauses and limits with the PostgreSQL store: what the API changes is kept in {@code traffic_controls}, where every
 * replica reads it each poll interval (200 ms in the test profile), and a change written there by another replica holds
 * here too. The database is read and written directly to see and to play that other replica.
 * <p>
 * A paused action's due retries wait until their deadline (max-duration, 20 s here), far beyond the test profile's
 * claim-ahead of 1 s: they are handed back to the database while they wait, and only the resume's write makes them due
 * again.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(PostgresProfile.class)
class DurableTrafficControlsTest {

    /** The test profile's max-duration: how long after its acceptance a retry is given up. */
    private static final Duration MAX_DURATION = Duration.ofSeconds(20);
    /** How soon a change written by another replica holds here: a few poll intervals (200 ms), on a busy machine. */
    private static final Duration FEW_POLLS = Duration.ofSeconds(2);
    /** How soon after a resume the retries it made due are attempted: a poll interval and a claim, with room. */
    private static final Duration SOON_AFTER_RESUME = Duration.ofSeconds(3);

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /** The actions each test paused or limited, whose rows are deleted after it. */
    private final List<String> controlled = new ArrayList<>();

    @AfterEach
    void deleteTheControlsThisTestWrote() {
        // the service's own row too, should a test have failed before restoring the configured limits
        controlled.add("");
        PostgresDatabase.update("DELETE FROM traffic_controls WHERE scope IN (" + String.join(", ",
                controlled.stream().map(scope -> "'" + scope + "'").toList()) + ")");
        // applied within a poll interval: the next test starts on the configured limits
        await("the configured service limits back").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(50))
                .until(() -> given().get("/v1/limits").then().statusCode(200).extract().jsonPath()
                        .get("configured.maxPerSecond") == null);
    }

    /** A pause is written to the database with its reason, shown by the action, and lifted there by a resume. */
    @Test
    void aPauseIsStoredWithItsReasonAndLiftedByAResume() {
        String action = controlledAction();

        JsonPath paused = pause(action, "CRM maintenance until 10:00");

        assertThat(paused.getBoolean("paused")).isTrue();
        assertThat(paused.getString("pauseReason")).isEqualTo("CRM maintenance until 10:00");
        assertThat(controlsRow(action)).as("the row every replica reads").containsEntry("paused", true)
                .containsEntry("pause_reason", "CRM maintenance until 10:00");
        JsonPath shown = actionState(action);
        assertThat(shown.getBoolean("paused")).isTrue();
        assertThat(shown.getString("pauseReason")).isEqualTo("CRM maintenance until 10:00");

        JsonPath resumed = resume(action);

        assertThat(resumed.getBoolean("paused")).isFalse();
        assertThat(resumed.getString("pauseReason")).isNull();
        assertThat(controlsRow(action)).containsEntry("paused", false).containsEntry("pause_reason", null);
        assertThat(actionState(action).getBoolean("paused")).isFalse();
    }

    /**
     * A paused action's retries are accepted, and those that come due wait PENDING, saying why, without reaching Genesys
     * and without using an attempt; they are handed back to the database until their deadline. A resume makes them due
     * at once: each succeeds within seconds, long before the deadline that would otherwise have released them.
     */
    @Test
    void aPausedActionsRetriesWaitHandedBackAndRunAsSoonAsItIsResumed() {
        String action = controlledAction();
        String path = GenesysStub.executePath(action);
        GenesysStub.stubSequence(path, GenesysStub.ok("{\"ticket\":\"T-1\"}"));
        pause(action, "CRM maintenance");

        List<String> held = IntStream.range(0, 3).mapToObj(i -> Retries.submitAccepted(action, "run-" + i, "{}"))
                .toList();

        for (String id : held) {
            JsonPath waiting = Retries.awaitRecord(id, record -> "action.paused".equals(record.getString("lastError.code")),
                    "held by the pause");
            assertThat(waiting.getString("status")).isEqualTo("PENDING");
            assertThat(waiting.getString("lastError.message")).contains("paused").contains("CRM maintenance");
            assertThat(waiting.getList("attempts")).as("attempts used while paused").isEmpty();
            // held until its deadline, which is longer than the claim-ahead: this instance lets it go
            Instant deadline = Retries.instant(waiting, "acceptedAt").plus(MAX_DURATION);
            assertThat(Retries.instant(waiting, "nextAttemptAt")).isCloseTo(deadline, within(Duration.ofSeconds(1)));
            await("retry " + id + " handed back to the database").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(50))
                    .until(() -> retryRow(id).get("leased_by") == null);
        }
        assertThat(GenesysStub.countOf(path)).as("execute calls while the action is paused").isZero();

        Instant resumed = Instant.now();
        resume(action);

        for (String id : held) {
            JsonPath done = Retries.awaitStatus(id, "SUCCEEDED");
            assertThat(done.getList("attempts")).hasSize(1);
            assertThat(Retries.instant(done, "attempts[0].startedAt"))
                    .as("attempted soon after the resume, not at the deadline (acceptance + %s)", MAX_DURATION)
                    .isBefore(resumed.plus(SOON_AFTER_RESUME));
        }
        assertThat(GenesysStub.countOf(path)).as("execute calls").isEqualTo(held.size());
    }

    /** A retry already waiting for its next attempt when its action is paused waits for the resume, not for its time. */
    @Test
    void aRetryBackingOffWhenItsActionIsPausedWaitsForTheResume() {
        String action = controlledAction();
        String path = GenesysStub.executePath(action);
        // Retry-After 2 s: beyond the claim-ahead, so the retry is in the database when the pause comes
        GenesysStub.stubSequence(path, GenesysStub.rateLimited("2"), GenesysStub.ok("{}"));
        String id = Retries.submitAccepted(action);
        JsonPath backingOff = Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1
                && "PENDING".equals(record.getString("status")), "waiting after its first attempt");
        Instant due = Retries.instant(backingOff, "nextAttemptAt");

        pause(action, null);

        JsonPath waiting = Retries.awaitRecord(id, record -> "action.paused".equals(record.getString("lastError.code")),
                "held by the pause");
        assertThat(Instant.now()).as("held once it came due").isAfterOrEqualTo(due);
        assertThat(waiting.getString("status")).isEqualTo("PENDING");
        assertThat(waiting.getList("attempts")).as("no attempt used while paused").hasSize(1);
        assertThat(GenesysStub.countOf(path)).isEqualTo(1);
        await("the retry handed back to the database").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(50))
                .until(() -> retryRow(id).get("leased_by") == null);

        Instant resumed = Instant.now();
        resume(action);

        JsonPath done = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(Retries.instant(done, "attempts[1].startedAt")).isBefore(resumed.plus(SOON_AFTER_RESUME));
    }

    /**
     * An action's limits set through the API are written to the database and shown, configured and effective (this
     * instance is the only replica: its share is the whole); null limits return to the configuration.
     */
    @Test
    void anActionsLimitsAreStoredAndShownAndNullReturnsToTheConfiguration() {
        String action = controlledAction();
        assertThat(given().get("/v1/limits").then().statusCode(200).extract().jsonPath().getInt("replicas"))
                .as("replicas sharing the limits").isEqualTo(1);

        JsonPath set = setActionLimits(action, "{\"maxConcurrent\": 3, \"maxPerSecond\": 7.5}");

        assertThat(set.getInt("configured.maxConcurrent")).isEqualTo(3);
        assertThat(set.getDouble("configured.maxPerSecond")).isEqualTo(7.5);
        assertThat(set.getInt("effective.maxConcurrent")).isEqualTo(3);
        assertThat(set.getDouble("effective.maxPerSecond")).isEqualTo(7.5);
        assertThat(controlsRow(action)).as("the row every replica reads").containsEntry("max_concurrent", 3)
                .containsEntry("max_per_second", 7.5).containsEntry("paused", false);
        JsonPath shown = actionState(action);
        assertThat(shown.getInt("configured.maxConcurrent")).isEqualTo(3);
        assertThat(shown.getDouble("configured.maxPerSecond")).isEqualTo(7.5);

        JsonPath cleared = setActionLimits(action, "{\"maxConcurrent\": null}");

        assertThat(controlsRow(action)).containsEntry("max_concurrent", null).containsEntry("max_per_second", null);
        assertThat((Object) cleared.get("configured.maxConcurrent")).as("no limit of its own configured").isNull();
        assertThat((Object) cleared.get("configured.maxPerSecond")).isNull();
        assertThat((Object) actionState(action).get("effective.maxConcurrent")).isNull();
    }

    /** The service's limits set through the API are written to the database, under the service's own row. */
    @Test
    void theServicesLimitsAreStoredAndNullReturnsToTheConfiguration() {
        JsonPath configured = given().get("/v1/limits").then().statusCode(200).extract().jsonPath();
        int configuredConcurrency = configured.getInt("configured.maxConcurrent");

        JsonPath set = given().contentType(ContentType.JSON).body("{\"maxConcurrent\": 4, \"maxPerSecond\": 50}")
                .put("/v1/limits").then().statusCode(200).extract().jsonPath();

        assertThat(set.getInt("configured.maxConcurrent")).isEqualTo(4);
        assertThat(set.getDouble("configured.maxPerSecond")).isEqualTo(50.0);
        assertThat(controlsRow("")).as("the service's row").containsEntry("max_concurrent", 4)
                .containsEntry("max_per_second", 50.0);

        JsonPath cleared = given().contentType(ContentType.JSON).body("{}").put("/v1/limits").then().statusCode(200)
                .extract().jsonPath();

        assertThat(controlsRow("")).containsEntry("max_concurrent", null).containsEntry("max_per_second", null);
        assertThat(cleared.getInt("configured.maxConcurrent")).isEqualTo(configuredConcurrency);
        assertThat((Object) cleared.get("configured.maxPerSecond")).isNull();
    }

    /**
     * A pause written to the database by another replica holds here within a few poll intervals: the action shows it
     * with its reason, and its due retries wait without reaching Genesys. Lifted there, it is lifted here too, and the
     * resume through this instance makes the retries due.
     */
    @Test
    void aPauseWrittenByAnotherReplicaHoldsHereWithinAFewPollIntervals() {
        String action = controlledAction();
        String path = GenesysStub.executePath(action);
        GenesysStub.stubSequence(path, GenesysStub.ok("{}"));

        // what POST /v1/actions/{id}/pause on another replica writes
        Instant written = Instant.now();
        PostgresDatabase.update("INSERT INTO traffic_controls (scope, paused, pause_reason) VALUES ('" + action
                + "', true, 'paused on replica b')");

        await("the pause shown here").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(25))
                .until(() -> given().get("/v1/actions/" + action).then().extract().statusCode() == 200
                        && actionState(action).getBoolean("paused"));
        assertThat(Duration.between(written, Instant.now())).as("applied within a few poll intervals")
                .isLessThan(FEW_POLLS);
        assertThat(actionState(action).getString("pauseReason")).isEqualTo("paused on replica b");
        String id = Retries.submitAccepted(action);
        JsonPath waiting = Retries.awaitRecord(id, record -> "action.paused".equals(record.getString("lastError.code")),
                "held by the pause");
        assertThat(waiting.getString("status")).isEqualTo("PENDING");
        assertThat(GenesysStub.countOf(path)).as("execute calls while paused").isZero();

        Instant resumed = Instant.now();
        resume(action);

        JsonPath done = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(Retries.instant(done, "attempts[0].startedAt")).isBefore(resumed.plus(SOON_AFTER_RESUME));
    }

    /**
     * An action's concurrency written to the database by another replica holds here within a few poll intervals: with
     * max-concurrent 1, attempts of the action never overlap on the wire, however many are due at once.
     */
    @Test
    void aLimitWrittenByAnotherReplicaHoldsHere() {
        String action = controlledAction();
        String path = GenesysStub.executePath(action);
        int delayMillis = 300;
        GenesysStub.stubSequence(path, GenesysStub.ok("{}").withFixedDelay(delayMillis));

        // what PUT /v1/actions/{id}/limits on another replica writes
        PostgresDatabase.update("INSERT INTO traffic_controls (scope, max_concurrent) VALUES ('" + action + "', 1)");
        await("the limit shown here").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(25))
                .until(() -> given().get("/v1/actions/" + action).then().extract().statusCode() == 200
                        && Integer.valueOf(1).equals(actionState(action).get("effective.maxConcurrent")));

        List<String> ids = IntStream.range(0, 4).mapToObj(i -> Retries.submitAccepted(action, "run-" + i, "{}"))
                .toList();
        ids.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));

        List<LoggedRequest> calls = GenesysStub.requestsTo(path);
        assertThat(calls).hasSize(ids.size());
        for (int i = 1; i < calls.size(); i++) {
            // each answer took the fixed delay: the next call came only once the one before had been answered
            assertThat(calls.get(i).getLoggedDate().getTime() - calls.get(i - 1).getLoggedDate().getTime())
                    .as("milliseconds between execute calls %d and %d", i, i + 1).isGreaterThanOrEqualTo(delayMillis);
        }
    }

    /** A fresh action whose controls are deleted after the test. */
    private String controlledAction() {
        String action = Retries.newActionId();
        controlled.add(action);
        return action;
    }

    private static JsonPath pause(String action, String reason) {
        return given().contentType(ContentType.JSON).body(reason == null ? "{}" : "{\"reason\": \"" + reason + "\"}")
                .post("/v1/actions/" + action + "/pause").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath resume(String action) {
        return given().post("/v1/actions/" + action + "/resume").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath setActionLimits(String action, String body) {
        return given().contentType(ContentType.JSON).body(body).put("/v1/actions/" + action + "/limits").then()
                .statusCode(200).extract().jsonPath();
    }

    private static JsonPath actionState(String action) {
        return given().get("/v1/actions/" + action).then().statusCode(200).extract().jsonPath();
    }

    private static Map<String, Object> controlsRow(String scope) {
        List<Map<String, Object>> rows = PostgresDatabase.query("SELECT paused, pause_reason, max_concurrent, "
                + "max_per_second FROM traffic_controls WHERE scope = '" + scope + "'");
        assertThat(rows).as("traffic_controls rows of scope '%s'", scope).hasSize(1);
        return rows.get(0);
    }

    private static Map<String, Object> retryRow(String requestId) {
        List<Map<String, Object>> rows = PostgresDatabase.query(
                "SELECT leased_by, due_at FROM retries WHERE request_id = '" + requestId + "'");
        assertThat(rows).as("rows of retry %s", requestId).hasSize(1);
        return rows.get(0);
    }
}
