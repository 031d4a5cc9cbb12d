package dev.dataaction.retry.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataaction.retry.support.Retries;

/**
 * The limits on what reaches Genesys hold for the whole service, not per replica: two replicas of the packaged
 * application share one PostgreSQL database, each configured with {@code orchestrator.limits.max-concurrent=2}, and each
 * takes its share of that from the replicas whose heartbeats are fresh. Genesys is a slow stand-in ({@link SlowGenesys})
 * that answers every execute call after 500 ms and counts the calls on the wire at once, whichever replica sent them.
 * Replicas read the shared settings and count each other every 200 ms (the poll interval).
 * <p>
 * The replicas use a database of their own, {@code <ORCHESTRATOR_DB_URL's database>_limits_replicas}
 * ({@code test_limits_replicas} by default), created if need be: {@link ReplicasIT}'s may be in use by another build's
 * run at the same time. Run alone, after {@code ./mvnw package}: {@code ./mvnw verify -DskipITs=false
 * -Dit.test=ClusterLimitsIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ClusterLimitsIT {

    private static final String DATABASE = ReplicaDatabase.named("limits_replicas");
    /** The service's limit, every replica together. */
    private static final int MAX_CONCURRENT = 2;
    private static final Duration GENESYS_DELAY = Duration.ofMillis(500);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    /** How long a retry may take: long enough for any test here, short enough that a pause outlasting it shows. */
    private static final Duration MAX_DURATION = Duration.ofSeconds(30);
    private static final Map<String, String> SETTINGS = Map.ofEntries(
            Map.entry("quarkus.http.host", "127.0.0.1"),
            Map.entry("quarkus.http.port", "0"),
            Map.entry("quarkus.log.console.json.enabled", "false"),
            Map.entry("quarkus.log.category.\"dev.dataaction\".level", "DEBUG"),
            // no readiness grace period: a replica told to stop leaves at once
            Map.entry("quarkus.shutdown.delay", "0s"),
            Map.entry("quarkus.shutdown.timeout", "5s"),
            Map.entry("orchestrator.limits.max-concurrent", Integer.toString(MAX_CONCURRENT)),
            Map.entry("orchestrator.postgres.poll-interval", POLL_INTERVAL.toMillis() + "ms"),
            Map.entry("orchestrator.postgres.claim-ahead", "1s"),
            Map.entry("orchestrator.retry.max-duration", MAX_DURATION.toSeconds() + "s"),
            Map.entry("orchestrator.retry.base-delay", "200ms"));
    /** How soon a change holds on every replica: a few poll intervals, on a busy build machine. */
    private static final Duration FEW_POLLS = Duration.ofSeconds(2);
    /** Longer than any batch of retries here takes to finish. */
    private static final Duration OUTCOME_DEADLINE = Duration.ofSeconds(40);

    private static SlowGenesys genesys;

    @RegisterExtension
    final ReplicaProcesses replicas = new ReplicaProcesses();

    @BeforeAll
    static void startGenesys() {
        genesys = SlowGenesys.answeringAfter(GENESYS_DELAY);
    }

    /**
     * Each test starts on an empty database: the replicas an earlier test killed keep their heartbeats fresh for the
     * replica timeout (15 s), and would count among the replicas sharing the limit until then.
     */
    @BeforeEach
    void emptyTheDatabaseAndForgetGenesysCalls() {
        ReplicaDatabase.prepare(DATABASE);
        genesys.forget();
    }

    @AfterAll
    static void stopGenesys() {
        if (genesys != null) {
            genesys.close();
        }
    }

    /**
     * Twelve retries accepted by two replicas, each configured with max-concurrent 2: Genesys never has more than 2 of
     * them on the wire at once, as one replica with that limit would send, and every one succeeds. Each replica sends
     * one at a time, its share, and both do so side by side: 2 at once is reached.
     */
    @Test
    void twoReplicasTogetherNeverSendMoreThanTheServicesLimit() throws Exception {
        List<Replica> started = startReadyAndSharing("a", "b");
        String action = Retries.newActionId();

        List<String> requestIds = new ArrayList<>();
        List<Replica> acceptedBy = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Replica replica = started.get(i % 2);
            requestIds.add(replica.submitNew(action, "run-" + i));
            acceptedBy.add(replica);
        }
        for (int i = 0; i < requestIds.size(); i++) {
            awaitSucceeded(acceptedBy.get(i), requestIds.get(i));
        }

        assertThat(genesys.executions()).as("execute calls").isEqualTo(requestIds.size());
        assertThat(genesys.mostInFlight()).as("execute calls on the wire at once, both replicas together")
                .isEqualTo(MAX_CONCURRENT);
    }

    /**
     * A replica that stops leaves the whole limit to the one still running within a few poll intervals: that one then
     * has 2 attempts on the wire at once by itself, and never more.
     */
    @Test
    void theReplicaLeftTakesTheWholeLimitWhenTheOtherStops() throws Exception {
        List<Replica> started = startReadyAndSharing("a", "b");
        Replica a = started.get(0);
        Replica b = started.get(1);

        b.stop();
        Instant stopped = Instant.now();
        await("replica a takes the whole limit").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(25))
                .until(() -> {
                    JsonNode limits = a.call("GET", "/v1/limits", null);
                    return limits.path("replicas").asInt() == 1
                            && limits.path("effective").path("maxConcurrent").asInt() == MAX_CONCURRENT;
                });
        assertThat(Duration.between(stopped, Instant.now())).as("taken within a few poll intervals of b's stop")
                .isLessThan(FEW_POLLS);

        String action = Retries.newActionId();
        List<String> requestIds = Stream.of("run-1", "run-2", "run-3", "run-4", "run-5", "run-6")
                .map(run -> a.submitNew(action, run)).toList();
        requestIds.forEach(requestId -> awaitSucceeded(a, requestId));

        assertThat(genesys.executions()).as("execute calls").isEqualTo(requestIds.size());
        assertThat(genesys.mostInFlight()).as("execute calls on the wire at once, from replica a alone")
                .isEqualTo(MAX_CONCURRENT);
    }

    /**
     * A pause made through one replica holds the action's retries on both, and a resume through that replica makes
     * every one of them due again: those the other replica accepted succeed as soon as those of the first, long
     * before the deadline that would otherwise end their wait.
     */
    @Test
    void aResumeThroughOneReplicaReleasesThePausedRetriesOfBoth() throws Exception {
        List<Replica> started = startReadyAndSharing("a", "b");
        Replica a = started.get(0);
        Replica b = started.get(1);
        String action = Retries.newActionId();
        a.call("POST", "/v1/actions/" + action + "/pause", "{\"reason\": \"CRM maintenance\"}");
        await("replica b applies the pause").atMost(FEW_POLLS).pollInterval(Duration.ofMillis(25))
                .ignoreExceptions().until(() -> b.call("GET", "/v1/actions/" + action, null).path("paused").asBoolean());

        List<String> requestIds = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requestIds.add(started.get(i % 2).submitNew(action, "run-" + i));
        }
        for (String requestId : requestIds) {
            awaitRecord(a, requestId, "held by the pause", record -> "PENDING".equals(record.path("status").asText())
                    && "action.paused".equals(record.path("lastError").path("code").asText()));
        }
        assertThat(genesys.executions()).as("execute calls while the action is paused").isZero();

        Instant resumed = Instant.now();
        a.call("POST", "/v1/actions/" + action + "/resume", null);

        for (String requestId : requestIds) {
            JsonNode done = awaitSucceeded(a, requestId);
            Instant attempted = Instant.parse(done.path("attempts").path(0).path("startedAt").asText());
            // six attempts, two at a time, take 1.5 s; a poll interval or two more to claim them, on a busy machine
            assertThat(attempted).as("retry %s attempted soon after the resume at %s, not at its deadline", requestId,
                    resumed).isBefore(resumed.plusSeconds(5));
        }
        assertThat(genesys.mostInFlight()).as("execute calls on the wire at once").isLessThanOrEqualTo(MAX_CONCURRENT);
    }

    /**
     * Starts replicas side by side, waits until every one is ready, and then until each counts them all and takes its
     * share of the limit: an even split, the remainder to the first by replica id.
     */
    private List<Replica> startReadyAndSharing(String... names) {
        List<Replica> launched = Stream.of(names)
                .map(name -> replicas.launch(name, Replica.postgresEnvironment(name, ReplicaDatabase.urlOf(DATABASE),
                        genesys.baseUrl()), new LinkedHashMap<>(SETTINGS)))
                .toList();
        launched.forEach(Replica::awaitReady);
        for (Replica replica : launched) {
            await("replica " + replica.name() + " counts " + names.length + " replicas").atMost(FEW_POLLS)
                    .pollInterval(Duration.ofMillis(25)).until(() -> replica.call("GET", "/v1/limits", null)
                            .path("replicas").asInt() == names.length);
        }
        int shares = launched.stream().mapToInt(replica -> {
            try {
                return replica.call("GET", "/v1/limits", null).path("effective").path("maxConcurrent").asInt();
            } catch (Exception unanswered) {
                throw new AssertionError("replica " + replica.name() + " did not tell its limits", unanswered);
            }
        }).sum();
        assertThat(shares).as("the replicas' shares of max-concurrent %d", MAX_CONCURRENT).isEqualTo(MAX_CONCURRENT);
        return launched;
    }

    private static JsonNode awaitRecord(Replica from, String requestId, String state,
            Predicate<JsonNode> reached) {
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
}
