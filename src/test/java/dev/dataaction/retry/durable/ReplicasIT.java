package dev.dataaction.retry.durable;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import dev.dataaction.retry.support.TcpProxy;

/**
 * Replicas of the packaged application sharing one PostgreSQL database ({@code orchestrator.store=postgres}), each a
 * process of its own, stopped, restarted and killed as Kubernetes and failing nodes do, with Genesys Cloud played by
 * WireMock. Leases, heartbeats and looks for due retries run on the default clock (a replica is taken for dead 15 s after
 * its last heartbeat), so that the recovery figures the README states are the ones tested here; claims are made 1 s
 * ahead of the due time.
 * <p>
 * The replicas use a database of their own ({@link ReplicaDatabase}) on the PostgreSQL server of
 * {@code ORCHESTRATOR_DB_URL} (default {@code postgresql://127.0.0.1:5432/test}). Genesys is a WireMock server of
 * this class, not {@link GenesysStub}'s: that one belongs to the Quarkus test applications, which may still be running in
 * this JVM. The replicas run the jar, or the native executable after {@code ./mvnw package -Dnative}. Run alone, after
 * {@code ./mvnw package}: {@code ./mvnw verify -DskipITs=false -Dit.test=ReplicasIT -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ReplicasIT {

    /** Every replica's Genesys read timeout, unless a test sets another. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("quarkus.http.host", "127.0.0.1"),
            Map.entry("quarkus.http.port", "0"),
            Map.entry("quarkus.log.console.json.enabled", "false"),
            Map.entry("quarkus.log.category.\"dev.dataaction\".level", "DEBUG"),
            // no readiness grace period: a replica told to stop hands its retries back at once
            Map.entry("quarkus.shutdown.delay", "0s"),
            Map.entry("quarkus.shutdown.timeout", "5s"),
            Map.entry("orchestrator.postgres.claim-ahead", "1s"),
            Map.entry("orchestrator.retry.base-delay", "200ms"),
            Map.entry("quarkus.rest-client.genesys.read-timeout", Long.toString(READ_TIMEOUT.toMillis())));
    /** Longer than any retry here takes to finish, a takeover after a replica's death included. */
    private static final Duration OUTCOME_DEADLINE = Duration.ofSeconds(40);
    /** How late an attempt may start after its replica died: the README's recovery figure. */
    private static final Duration RECOVERED = Duration.ofSeconds(20);
    /** How late an attempt may start and still be on schedule, on a busy build machine. */
    private static final Duration ON_SCHEDULE = Duration.ofSeconds(2);
    private static final String CORRELATION_HEADER = "ININ-Correlation-Id";
    private static final String RESULT = "{\"ticketId\":\"T-1001\",\"status\":\"created\"}";

    private static WireMockServer genesys;

    @RegisterExtension
    final ReplicaProcesses replicas = new ReplicaProcesses();

    @BeforeAll
    static void startGenesysAndEmptyTheDatabase() {
        genesys = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        genesys.start();
        ReplicaDatabase.prepare();
    }

    @BeforeEach
    void forgetGenesysCalls() {
        genesys.resetAll();
        genesys.stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH))
                .willReturn(GenesysStub.tokenResponse(GenesysStub.ACCESS_TOKEN, 86_400)));
    }

    @AfterAll
    static void stopGenesys() {
        if (genesys != null) {
            genesys.stop();
        }
    }

    /** A retry waiting out a Retry-After survives a restart of its only replica, and is attempted when it is due. */
    @Test
    void aRestartedReplicaMakesTheNextAttemptWhenItIsDue() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, rateLimited("6"), ok(RESULT));
        Replica a = startReady("a").get(0);
        String requestId = a.submitNew(action, "run-restart");

        JsonNode waiting = awaitRecord(a, requestId, "waiting after attempt 1", waitingAfterAttempts(1));
        assertThat(attempts(waiting)).containsExactly("1 RATE_LIMITED");
        Instant due = Instant.parse(waiting.path("nextAttemptAt").asText());
        a.stop();
        assertThat(executions(action)).as("execute calls before the restart").hasSize(1);

        Replica restarted = startReady("a").get(0);
        JsonNode done = awaitSucceeded(restarted, requestId);

        assertOnSchedule(secondOfTwoExecutions(done, action), due);
    }

    /** A retry whose replica crashed while it waited is finished by another replica, still honouring Retry-After. */
    @Test
    void aReplicaTakesOverTheWaitingRetryOfOneThatCrashed() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, rateLimited("2"), ok(RESULT));
        List<Replica> started = startReady("a", "b");
        Replica a = started.get(0);
        Replica b = started.get(1);
        String requestId = a.submitNew(action, "run-crash-waiting");

        JsonNode waiting = awaitRecord(b, requestId, "waiting after attempt 1", waitingAfterAttempts(1));
        Instant due = Instant.parse(waiting.path("nextAttemptAt").asText());
        a.kill();
        assertThat(executions(action)).as("execute calls before replica a was killed").hasSize(1);

        JsonNode done = awaitSucceeded(b, requestId);

        Instant retried = secondOfTwoExecutions(done, action).getLoggedDate().toInstant();
        assertThat(retried).as("the attempt Genesys asked to wait for").isAfterOrEqualTo(due.truncatedTo(ChronoUnit.MILLIS))
                .as("taken over within %s of its due time", RECOVERED).isBefore(due.plus(RECOVERED));
    }

    /** A retry accepted the instant before its replica crashed is attempted by another replica within 20 s. */
    @Test
    void aRetryAcceptedJustBeforeItsReplicaCrashedIsAttemptedByAnother() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, ok(RESULT));
        // a waits 2 s before a first attempt, so that it dies before making it
        Replica a = launch("a", Map.of("orchestrator.retry.base-delay", "2s"));
        Replica b = launch("b", Map.of());
        a.awaitReady();
        b.awaitReady();
        String requestId = a.submitNew(action, "run-crash-accepted");
        a.kill();
        Instant due = Instant.parse(b.record(requestId).path("nextAttemptAt").asText());

        JsonNode done = awaitSucceeded(b, requestId);

        assertThat(attempts(done)).containsExactly("1 SUCCESS");
        assertThat(executions(action)).singleElement().satisfies(call -> assertThat(call.getLoggedDate().toInstant())
                .as("attempted within %s of its due time %s", RECOVERED, due).isBefore(due.plus(RECOVERED)));
    }

    /**
     * An attempt lost with its replica is recorded as INTERRUPTED and made again by another replica under the same number
     * and correlation id, once the lease shows nobody is waiting for its answer any more.
     */
    @Test
    void aReplicaRepeatsTheAttemptThatWasOnTheWireWhenItsReplicaCrashed() throws Exception {
        String action = Retries.newActionId();
        // the first answer would come long after this test has given up waiting for it
        answerInOrder(action, ok(RESULT).withFixedDelay(20_000), ok(RESULT));
        List<Replica> started = startReady("a", "b");
        Replica a = started.get(0);
        Replica b = started.get(1);
        String requestId = a.submitNew(action, "run-crash-in-flight");

        await("the first execute call reaches Genesys").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> executions(action).size() == 1);
        assertThat(b.record(requestId).path("status").asText()).isEqualTo("IN_FLIGHT");
        a.kill();

        JsonNode done = awaitSucceeded(b, requestId);

        assertThat(attempts(done)).as("the lost attempt is on record, and was made again under its number")
                .containsExactly("1 INTERRUPTED", "1 SUCCESS");
        List<LoggedRequest> calls = executions(action);
        assertThat(calls).hasSize(2).allSatisfy(call -> assertThat(call.getHeader(CORRELATION_HEADER))
                .as("Genesys can tell the two calls are one execution").isEqualTo(requestId));
        // taken over once replica a was taken for dead, within the recovery figure
        assertThat(Duration.between(calls.get(0).getLoggedDate().toInstant(), calls.get(1).getLoggedDate().toInstant()))
                .isGreaterThanOrEqualTo(READ_TIMEOUT).isLessThan(RECOVERED);
    }

    /**
     * An attempt on the wire in a replica that is alive is never taken over, however long Genesys takes: longer than the
     * replica timeout and than the lease's safety net for waiting retries.
     */
    @Test
    void anAttemptOnTheWireInALiveReplicaIsNeverTakenOver() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, ok(RESULT).withFixedDelay(20_000));
        Replica a = launch("a", Map.of("quarkus.rest-client.genesys.read-timeout", "30000",
                "orchestrator.postgres.lease", "2s"));
        Replica b = launch("b", Map.of());
        a.awaitReady();
        b.awaitReady();
        String requestId = a.submitNew(action, "run-slow-answer");

        JsonNode done = awaitSucceeded(b, requestId);

        assertThat(attempts(done)).containsExactly("1 SUCCESS");
        assertThat(executions(action)).as("execute calls").hasSize(1);
    }

    /**
     * A replica that could not write a retry's state during a database outage lets it go, and takes it back within a poll
     * interval of the database answering again, rather than after the lease.
     */
    @Test
    void aReplicaTakesBackTheRetriesItLetGoAsSoonAsTheDatabaseAnswersAgain() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, rateLimited("2"), ok(RESULT));
        try (TcpProxy database = new TcpProxy(URI.create(ReplicaDatabase.URL).getHost(),
                URI.create(ReplicaDatabase.URL).getPort())) {
            Replica a = replicas.launch("a", environment("a", ReplicaDatabase.onServerOf(
                    "postgresql://127.0.0.1:" + database.port(), ReplicaDatabase.NAME)), SETTINGS).awaitReady();
            String requestId = a.submitNew(action, "run-outage");
            JsonNode waiting = awaitRecord(a, requestId, "waiting after attempt 1", waitingAfterAttempts(1));
            Instant due = Instant.parse(waiting.path("nextAttemptAt").asText());

            database.cut();
            await("replica a lets the retry go when it is due").atMost(OUTCOME_DEADLINE)
                    .pollInterval(Duration.ofMillis(50)).until(() -> a.output().contains("database does not answer")
                            && Instant.now().isAfter(due.plusSeconds(3)));
            Instant back = Instant.now();
            database.restore();

            JsonNode done = awaitSucceeded(a, requestId);
            Instant retried = secondOfTwoExecutions(done, action).getLoggedDate().toInstant();
            assertThat(retried).as("taken back within a poll interval (1 s) of the database answering again, on a busy "
                    + "machine").isBefore(back.plus(ON_SCHEDULE).plusSeconds(1));
            assertThat(a.output().lines().filter(line -> line.contains(" ERROR ") || line.contains(" WARN ")))
                    .as("the outage told in a handful of lines").hasSizeLessThanOrEqualTo(3);
        }
    }

    /** The same failed execution sent to two replicas at once is accepted once and executed once. */
    @Test
    void concurrentDuplicatesSentToTwoReplicasAreAcceptedOnce() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, ok(RESULT));
        List<Replica> started = startReady("a", "b");

        List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, 50)
                .mapToObj(i -> started.get(i % 2).submit(action, "run-duplicated")).toList();
        List<HttpResponse<String>> answers = sent.stream().map(CompletableFuture::join).toList();

        String bodies = answers.stream().map(answer -> answer.statusCode() + " " + answer.body())
                .collect(Collectors.joining("\n"));
        assertThat(answers.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting())))
                .as(bodies).containsOnly(Map.entry(202, 1L), Map.entry(200, 49L));
        Set<String> requestIds = answers.stream().map(answer -> Replica.json(answer.body()).path("requestId").asText())
                .collect(Collectors.toSet());
        assertThat(requestIds).as("every answer names the one retry").hasSize(1);
        assertThat(ReplicaDatabase.rowsFor(action, "run-duplicated")).as("stored retries").isEqualTo(1);

        awaitSucceeded(started.get(0), requestIds.iterator().next());
        assertThat(executions(action)).as("execute calls").hasSize(1);
    }

    /** A rolling restart does not delay retries by a lease: a replica stopped with SIGTERM hands its retries back at once. */
    @Test
    void aStoppingReplicaHandsItsWaitingRetryBackForAnotherToMakeTheAttemptOnTime() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, rateLimited("6"), ok(RESULT));
        // a claims retries 4 s before they are due, b 1 s before: a is the one holding the retry when it stops
        Replica a = launch("a", Map.of("orchestrator.postgres.claim-ahead", "4s"));
        Replica b = launch("b", Map.of());
        a.awaitReady();
        b.awaitReady();
        String requestId = a.submitNew(action, "run-handed-back");
        JsonNode waiting = awaitRecord(b, requestId, "waiting after attempt 1", waitingAfterAttempts(1));
        Instant due = Instant.parse(waiting.path("nextAttemptAt").asText());
        await("replica a holds the waiting retry").atMost(OUTCOME_DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> String.valueOf(ReplicaDatabase.leaseHolder(requestId)).startsWith("replica-a-"));
        String replicaA = ReplicaDatabase.leaseHolder(requestId);

        a.stop();
        assertThat(a.output()).contains("Handed 1 waiting retries back");
        // with nothing on the wire, a says that it left: anything else it held is taken over without waiting 15 s
        assertThat(ReplicaDatabase.leftOnRecord(replicaA)).as("%s's heartbeat after it stopped", replicaA).isTrue();
        JsonNode done = awaitSucceeded(b, requestId);

        // had the retry stayed leased to a, b could have taken it only once a was taken for dead, 15 s later
        assertOnSchedule(secondOfTwoExecutions(done, action), due);
    }

    /**
     * A replica drives the retries it accepts even while it looks for due ones, and its queue counts what it holds, not
     * the permits of a look that may find nothing.
     */
    @Test
    void aReplicaLookingForDueRetriesStillTakesTheRetriesItAccepts() throws Exception {
        String action = Retries.newActionId();
        answerInOrder(action, ok(RESULT));
        Replica a = startReady("a").get(0);
        CompletableFuture<HttpResponse<String>> submitted;
        try (Connection writesWait = ReplicaDatabase.lockAgainstWrites()) {
            await("replica a looks for due retries").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ReplicaDatabase.waitingForLock("WITH heartbeat") > 0);
            submitted = a.submit(action, "run-during-claim");
            await("replica a stores the retry").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ReplicaDatabase.waitingForLock("INSERT INTO retries") > 0);

            assertThat(a.retriesHeld())
                    .as("retries replica a holds while it looks for due ones: the one it accepts, not its whole capacity")
                    .isEqualTo(1);
        }
        HttpResponse<String> accepted = submitted.join();
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        awaitSucceeded(a, Replica.json(accepted.body()).path("requestId").asText());
        assertThat(executions(action)).as("execute calls").hasSize(1);
    }

    /** Starts replicas side by side, each a process on its own port, and waits until every one is ready. */
    private List<Replica> startReady(String... names) {
        List<Replica> launched = Stream.of(names).map(name -> launch(name, Map.of())).toList();
        launched.forEach(Replica::awaitReady);
        return launched;
    }

    /** Starts a replica with {@code overrides} of this class's settings; it is not ready yet. */
    private Replica launch(String name, Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>(SETTINGS);
        settings.putAll(overrides);
        return replicas.launch(name, environment(name), settings);
    }

    /** A replica's environment, as a deployment sets it; the leases it takes name it. */
    private static Map<String, String> environment(String name) {
        return environment(name, ReplicaDatabase.URL);
    }

    /** A replica's environment, reaching the replicas' database at {@code databaseUrl}. */
    private static Map<String, String> environment(String name, String databaseUrl) {
        return Replica.postgresEnvironment(name, databaseUrl, genesys.baseUrl());
    }

    /** Genesys answers the action's execute calls with {@code answers} in order; the last is repeated. */
    private static void answerInOrder(String actionId, ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder answer = post(urlEqualTo(executePath(actionId))).inScenario(actionId)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer-" + i).willReturn(answers[i]);
            genesys.stubFor(i < answers.length - 1 ? answer.willSetStateTo("answer-" + (i + 1)) : answer);
        }
    }

    /** The execute calls Genesys received for an action, oldest first. */
    private static List<LoggedRequest> executions(String actionId) {
        return genesys.findAll(postRequestedFor(urlEqualTo(executePath(actionId)))).stream()
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    private static JsonNode awaitRecord(Replica from, String requestId, String state, Predicate<JsonNode> reached) {
        return await("retry " + requestId + " " + state + ", read through replica " + from.name())
                .atMost(OUTCOME_DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> from.record(requestId), reached);
    }

    /** Waits until the retry has finished, and requires that it succeeded. */
    private static JsonNode awaitSucceeded(Replica from, String requestId) {
        JsonNode finished = awaitRecord(from, requestId, "finished",
                record -> !Set.of("PENDING", "IN_FLIGHT").contains(record.path("status").asText()));
        assertThat(finished.path("status").asText()).as("outcome of %s", finished).isEqualTo("SUCCEEDED");
        return finished;
    }

    private static Predicate<JsonNode> waitingAfterAttempts(int made) {
        return record -> "PENDING".equals(record.path("status").asText()) && record.path("attempts").size() == made;
    }

    /**
     * Checks that the retry was rate limited once and then succeeded, with one execute call each, and returns the second
     * call.
     */
    private static LoggedRequest secondOfTwoExecutions(JsonNode done, String action) {
        assertThat(attempts(done)).containsExactly("1 RATE_LIMITED", "2 SUCCESS");
        List<LoggedRequest> calls = executions(action);
        assertThat(calls).hasSize(2);
        return calls.get(1);
    }

    /** Each attempt on record as its number and outcome, for example {@code 1 RATE_LIMITED}. */
    private static List<String> attempts(JsonNode record) {
        return StreamSupport.stream(record.path("attempts").spliterator(), false)
                .map(attempt -> attempt.path("number").asInt() + " " + attempt.path("outcome").asText()).toList();
    }

    /** The call came when the retry was due: not a millisecond early, and not noticeably late. */
    private static void assertOnSchedule(LoggedRequest call, Instant due) {
        // the request log counts whole milliseconds
        assertThat(call.getLoggedDate().toInstant()).as("arrival of the attempt due at %s", due)
                .isAfterOrEqualTo(due.truncatedTo(ChronoUnit.MILLIS)).isBefore(due.plus(ON_SCHEDULE));
    }
}
