package dev.dataaction.retry.durable;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import dev.dataaction.retry.durable.ChaosReport.Held;
import dev.dataaction.retry.durable.ChaosReport.Kill;
import dev.dataaction.retry.durable.ChaosReport.Outage;
import dev.dataaction.retry.durable.ChaosReport.StoredRetry;
import dev.dataaction.retry.durable.ChaosReport.Wait;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.TcpProxy;

/**
 * Three replicas of the packaged application on one PostgreSQL database, with the default lease (90 s), replica timeout
 * (15 s), poll interval (1 s) and claim-ahead (5 s), under a steady load while a random replica is killed with SIGKILL
 * (and restarted) every 20 to 25 s, and the database goes away once for a few seconds. Genesys is a WireMock server that
 * answers each retry's action at once, after a 429 with a Retry-After of 1 to 3 s, after a 503, or slowly (2 to 5 s).
 * <p>
 * It checks the PostgreSQL store's promises ({@link ChaosReport}): every accepted retry SUCCEEDED; Genesys received a
 * second call for one attempt only where that attempt was interrupted (by a SIGKILL, or by the outage while its outcome
 * could not be written); every attempt started within 20 s of its due time. The figures go to standard output and to
 * {@code target/chaos-report.txt}; the replicas' output to {@code target/replicas-it/<test>/}.
 * <p>
 * Not part of the build: it runs for about four minutes on three processes. Run it with {@code bench/chaos.sh}, or after
 * {@code ./mvnw package}: {@code ./mvnw verify -DskipITs=false -Dit.test=ChaosIT -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dchaos=true}. Options (system properties): {@code chaos.database-outage}
 * {@code cut} (the default: the replicas reach PostgreSQL through a {@link TcpProxy} that cuts every connection and
 * refuses new ones) or {@code restart} (PostgreSQL itself is stopped and started again with {@code chaos.database-stop}
 * and {@code chaos.database-start}, shell commands that default to {@code pg_ctlcluster} on the local cluster: every
 * other client of that server sees the outage too); {@code chaos.load-seconds} (120), {@code chaos.rate} (retries per
 * second, 5), {@code chaos.outage-seconds} (5), {@code chaos.seed} (the run's random choices).
 */
@EnabledIfSystemProperty(named = "chaos", matches = "true")
class ChaosIT {

    private static final List<String> NAMES = List.of("a", "b", "c");
    /** Only what a test machine needs: the lease, replica timeout, poll interval and every delay keep their defaults. */
    private static final Map<String, String> SETTINGS = Map.of("quarkus.http.host", "127.0.0.1", "quarkus.http.port", "0");
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("chaos.load-seconds", 120));
    private static final double RATE = Double.parseDouble(System.getProperty("chaos.rate", "5"));
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("chaos.outage-seconds", 5));
    private static final boolean RESTART_DATABASE = "restart".equals(System.getProperty("chaos.database-outage", "cut"));
    private static final long SEED = Long.getLong("chaos.seed", System.currentTimeMillis());
    /** Between two faults; longer than a takeover after a kill (replica timeout plus a poll), so faults do not pile up. */
    private static final Duration SHORTEST_GAP = Duration.ofSeconds(20);
    private static final Duration LONGEST_GAP = Duration.ofSeconds(25);
    /** The time left to the retries once the load and the faults have stopped: a takeover, and a retry's waits. */
    private static final Duration SETTLE = Duration.ofSeconds(120);
    /** How long the client keeps sending a submission that is refused or unanswered. */
    private static final Duration GIVE_UP = Duration.ofSeconds(90);
    private static final Duration SUBMISSION_TIMEOUT = Duration.ofSeconds(15);
    private static final Path REPORT = Path.of("target", "chaos-report.txt");
    private static final String CORRELATION_HEADER = "ININ-Correlation-Id";
    private static final String RESULT = "{\"ticketId\":\"T-1001\",\"status\":\"created\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How Genesys answers a retry's action, and how often. */
    private enum Kind {
        AT_ONCE(35, "200 at once"),
        RATE_LIMITED(25, "429 with Retry-After 1-3 s, then 200"),
        UNAVAILABLE(20, "503, then 200"),
        SLOW(20, "200 after 2-5 s");

        final int percent;
        final String description;

        Kind(int percent, String description) {
            this.percent = percent;
            this.description = description;
        }

        static String mix() {
            return Stream.of(values()).map(kind -> kind.percent + " % " + kind.description)
                    .collect(Collectors.joining(", "));
        }
    }

    /** One retry the client submits until a replica accepts it. */
    private static final class Submission {

        final String actionId;
        volatile String requestId;
        /** From the 202; a duplicate answer (200) after a resubmission may not tell it. */
        volatile Instant firstDue;
        volatile Instant acceptedAt;

        Submission(String actionId) {
            this.actionId = actionId;
        }
    }

    @RegisterExtension
    final ReplicaProcesses processes = new ReplicaProcesses(false);

    private final SplittableRandom loadChoices = new SplittableRandom(SEED);
    private final SplittableRandom faultChoices = loadChoices.split();
    private final Map<String, Replica> running = new ConcurrentHashMap<>();
    /** The replicas that are ready: the client sends to these, in turn. */
    private final List<Replica> live = new CopyOnWriteArrayList<>();
    private final List<Replica> launched = new CopyOnWriteArrayList<>();
    /** Each name's current replica id. */
    private final Map<String, String> replicaIds = new ConcurrentHashMap<>();
    private final Set<String> seenIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger turn = new AtomicInteger();
    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> sentAgain = new ConcurrentHashMap<>();
    private final List<Kill> kills = new ArrayList<>();
    private final List<String> unexpectedExits = new ArrayList<>();
    private final List<String> loadErrors = new CopyOnWriteArrayList<>();
    private WireMockServer genesys;
    private TcpProxy proxy;
    private String databaseUrl;
    private Instant outageDown;
    private Instant outageUp;
    private Duration readyAfterOutage;

    /** The replicas go first: cut off the database by the proxy's end, they would log an outage that is none. */
    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Replica replica : launched) {
            replica.killIfAlive();
        }
        if (genesys != null) {
            genesys.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void threeReplicasUnderKillsAndADatabaseOutageLoseNothingAndStayOnSchedule() throws Exception {
        String loadAverage = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        genesys = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(100));
        genesys.start();
        genesys.stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH))
                .willReturn(GenesysStub.tokenResponse(GenesysStub.ACCESS_TOKEN, 86_400)));
        ReplicaDatabase.prepare();
        databaseUrl = RESTART_DATABASE ? ReplicaDatabase.URL : throughProxy();
        NAMES.stream().map(this::start).toList().forEach(this::join);

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        Instant loadStarted = Instant.now();
        ticker.scheduleAtFixedRate(() -> tick(clients), 0, (long) (1e9 / RATE), TimeUnit.NANOSECONDS);
        try {
            faultsUntil(loadStarted, loadStarted.plus(LOAD));
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(10, TimeUnit.SECONDS);
            clients.shutdown();
        }
        Duration span = Duration.between(loadStarted, Instant.now());
        assertThat(clients.awaitTermination(GIVE_UP.plus(SUBMISSION_TIMEOUT).toSeconds(), TimeUnit.SECONDS))
                .as("every submission accepted or given up").isTrue();
        awaitEveryRetryFinished();
        checkNoReplicaExited();

        ChaosReport report = new ChaosReport(setup(loadAverage),
                new ChaosReport.Load(loadStarted, span, submissions.size(),
                        submissions.stream().map(submission -> submission.requestId).filter(id -> id != null)
                                .collect(Collectors.toSet()),
                        sentAgain),
                storedRetries(), executions(), waits(), firstDuesAnswered(), kills, outage());
        String rendered = report.render() + errorLines()
                + (unexpectedExits.isEmpty() ? "" : "\nReplicas that exited on their own: " + unexpectedExits + "\n")
                + (loadErrors.isEmpty() ? "" : "\nSubmissions not sent: " + loadErrors + "\n");
        Files.writeString(REPORT, rendered);
        System.out.printf("%n%s%n(also in %s; the replicas' output is in %s)%n", rendered, REPORT, processes.directory());

        assertThat(loadErrors).as("submissions not sent, or refused as invalid").isEmpty();
        assertThat(unexpectedExits).as("replicas that exited without being killed").isEmpty();
        assertThat(report.breaches()).as("promises broken; see %s", REPORT).isEmpty();
    }

    /** A SIGKILL every 20 to 25 s, the third fault being the database outage instead, until the load ends. */
    private void faultsUntil(Instant loadStarted, Instant end) throws Exception {
        Instant next = loadStarted.plus(gap());
        for (int fault = 0; next.plus(Duration.ofSeconds(5)).isBefore(end); fault++) {
            pauseUntil(next);
            checkNoReplicaExited();
            if (fault == 2) {
                databaseOutage();
            } else {
                kill(NAMES.get(faultChoices.nextInt(NAMES.size())));
            }
            next = next.plus(gap());
        }
        pauseUntil(end);
    }

    private Duration gap() {
        return SHORTEST_GAP.plusMillis(faultChoices.nextLong(LONGEST_GAP.minus(SHORTEST_GAP).toMillis() + 1));
    }

    /** Faults and submissions come on a schedule: this paces them, it waits for no outcome. */
    private static void pauseUntil(Instant at) throws InterruptedException {
        Duration left = Duration.between(Instant.now(), at);
        if (left.isPositive()) {
            Thread.sleep(left);
        }
    }

    /**
     * Kills the replica at once, notes what it held (its leases as the database shows them: nothing changes them until
     * another replica takes them over), and starts it again under the same name; the client stops sending to it first.
     */
    private void kill(String name) throws InterruptedException {
        Replica victim = running.get(name);
        live.remove(victim);
        Instant at = Instant.now();
        victim.kill();
        Map<String, Held> held = heldBy(replicaIds.get(name));
        join(start(name));
        kills.add(new Kill(name, at, held, Duration.between(at, Instant.now())));
    }

    /**
     * Takes the database away from the replicas for {@link #OUTAGE}, gives it back, and waits until every replica reports
     * readiness UP again. Whatever happens meanwhile, the database is given back. A restarted server answers before its
     * start command returns: it is back from its first answer.
     */
    private void databaseOutage() throws Exception {
        outageDown = Instant.now();
        Process starting = null;
        try {
            if (RESTART_DATABASE) {
                finish(shell(System.getProperty("chaos.database-stop", pgCtlCluster("stop -m fast"))));
            } else {
                proxy.cut();
            }
            pauseUntil(Instant.now().plus(OUTAGE));
        } finally {
            if (RESTART_DATABASE) {
                starting = shell(System.getProperty("chaos.database-start", pgCtlCluster("start")));
            } else {
                proxy.restore();
            }
        }
        try {
            if (RESTART_DATABASE) {
                await("PostgreSQL answers again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions().until(() -> queryLong("SELECT 1") == 1);
            }
            outageUp = Instant.now();
            await("every replica ready after the database outage").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> live.stream().allMatch(Replica::isReady));
            readyAfterOutage = Duration.between(outageUp, Instant.now());
        } finally {
            if (starting != null) {
                finish(starting);
            }
        }
    }

    private static String pgCtlCluster(String action) {
        try (Stream<Path> versions = Files.list(Path.of("/etc/postgresql"))) {
            String version = versions.map(path -> path.getFileName().toString()).sorted().findFirst()
                    .orElseThrow(() -> new IllegalStateException("No cluster in /etc/postgresql"));
            return "pg_ctlcluster --skip-systemctl-redirect " + version + " main " + action;
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Set chaos.database-stop and chaos.database-start", unreadable);
        }
    }

    /** Starts a shell command; its output goes to a file next to the replicas'. */
    private Process shell(String command) throws IOException {
        Path output = processes.directory().resolve("database-" + System.nanoTime() + ".log");
        Files.writeString(output, "$ " + command + "\n");
        return new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
    }

    private static void finish(Process command) throws InterruptedException {
        assertThat(command.waitFor(60, TimeUnit.SECONDS)).as("the database command finishes").isTrue();
        assertThat(command.exitValue()).as("the database command's exit status").isZero();
    }

    /** Every replica the test did not kill still runs; one that exited is noted and started again. */
    private void checkNoReplicaExited() {
        running.forEach((name, replica) -> {
            if (!replica.isAlive()) {
                unexpectedExits.add(name + " (" + replica.outputFile() + ")");
                live.remove(replica);
                join(start(name));
            }
        });
    }

    private Replica start(String name) {
        Replica replica = processes.launch(name, Replica.postgresEnvironment(name, databaseUrl, genesys.baseUrl()),
                SETTINGS);
        launched.add(replica);
        return replica;
    }

    /** Waits until the replica is ready and has announced itself in the database; then the client sends to it. */
    private void join(Replica replica) {
        replica.awaitReady();
        // the heartbeats of the replica's killed predecessors stay in the table
        String id = await("replica " + replica.name() + "'s heartbeat").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> replicaIdsNamed(replica.name()).stream().filter(candidate -> !seenIds.contains(candidate))
                        .findFirst(), Optional::isPresent)
                .orElseThrow();
        seenIds.add(id);
        replicaIds.put(replica.name(), id);
        running.put(replica.name(), replica);
        live.add(replica);
    }

    /**
     * A new retry, with an action of its own (its own answers, and its own circuit breaker), sent until accepted by a
     * client of its own. Runs on the ticker's one thread, so the run's random choices follow the seed.
     */
    private void tick(ExecutorService clients) {
        try {
            Kind kind = pick();
            String actionId = "chaos-" + kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-"
                    + submissions.size();
            GenesysStub.stubSequence(genesys, () -> post(urlEqualTo(executePath(actionId))), actionId, answers(kind));
            Submission submission = new Submission(actionId);
            submissions.add(submission);
            clients.execute(() -> send(submission));
        } catch (RuntimeException failed) {
            // a failing task would silently end the schedule
            loadErrors.add(failed.toString());
        }
    }

    private Kind pick() {
        int draw = loadChoices.nextInt(100);
        for (Kind kind : Kind.values()) {
            draw -= kind.percent;
            if (draw < 0) {
                return kind;
            }
        }
        throw new IllegalStateException("The percentages add up to less than 100");
    }

    private ResponseDefinitionBuilder[] answers(Kind kind) {
        return switch (kind) {
            case AT_ONCE -> new ResponseDefinitionBuilder[] { ok(RESULT) };
            case RATE_LIMITED -> new ResponseDefinitionBuilder[] {
                    rateLimited(Integer.toString(1 + loadChoices.nextInt(3))), ok(RESULT) };
            case UNAVAILABLE -> new ResponseDefinitionBuilder[] {
                    genesysError(503, "service.unavailable", "Service unavailable", "ctx-503"), ok(RESULT) };
            case SLOW -> new ResponseDefinitionBuilder[] { ok(RESULT).withFixedDelay(2000 + loadChoices.nextInt(3001)) };
        };
    }

    /**
     * Sends the submission to the live replicas in turn until one accepts it (202) or names the retry that holds its key
     * (200: an earlier try was stored, by a replica killed before it answered, or by one that answered after the client
     * gave up on it). Idempotency on (actionId, originalRunId) makes sending again safe.
     */
    private void send(Submission submission) {
        Instant giveUp = Instant.now().plus(GIVE_UP);
        while (Instant.now().isBefore(giveUp)) {
            List<Replica> now = List.copyOf(live);
            if (!now.isEmpty()) {
                Replica to = now.get(Math.floorMod(turn.getAndIncrement(), now.size()));
                String refusal;
                try {
                    HttpResponse<String> answer = to.submit(submission.actionId, "run-" + submission.actionId)
                            .get(SUBMISSION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    if (answer.statusCode() == 202 || answer.statusCode() == 200) {
                        JsonNode retry = Replica.json(answer.body());
                        if (answer.statusCode() == 202 && retry.hasNonNull("nextAttemptAt")) {
                            submission.firstDue = Instant.parse(retry.path("nextAttemptAt").asText());
                        }
                        submission.acceptedAt = Instant.now();
                        submission.requestId = retry.path("requestId").asText();
                        return;
                    }
                    refusal = "answered " + answer.statusCode();
                    if (answer.statusCode() >= 400 && answer.statusCode() < 500) {
                        // the request itself is wrong: sending it again cannot help
                        loadErrors.add(submission.actionId + " " + refusal + ": " + answer.body());
                        return;
                    }
                } catch (ExecutionException failed) {
                    refusal = "unanswered (" + failed.getCause().getClass().getSimpleName() + ")";
                } catch (TimeoutException slow) {
                    refusal = "unanswered in " + SUBMISSION_TIMEOUT.toSeconds() + " s";
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    return;
                }
                sentAgain.merge(refusal, 1, Integer::sum);
            }
            try {
                // a client's pause before it tries the next replica
                Thread.sleep(200);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitEveryRetryFinished() {
        try {
            await("every stored retry finished").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                    .until(() -> queryLong("SELECT count(*) FROM retries WHERE status IN ('PENDING', 'IN_FLIGHT')") == 0);
        } catch (ConditionTimeoutException unfinished) {
            // the report names each retry that did not finish
        }
    }

    private String setup(String loadAverage) {
        String outage = RESTART_DATABASE ? "PostgreSQL stopped (fast shutdown) and started again"
                : "the replicas' connections to PostgreSQL cut at a TCP proxy, new ones refused";
        return String.format(Locale.ROOT, """
                Chaos run (seed %d): %d replicas of the packaged application on one PostgreSQL database, with the default \
                lease (90 s), replica timeout (15 s), poll interval (1 s) and claim-ahead (5 s).
                Load: %.1f retries per second for %d s, each with an action of its own, sent to the ready replicas in turn \
                (one refused or unanswered is sent to the next). Genesys (WireMock): %s.
                Faults: every %d-%d s a random replica is killed (SIGKILL) and started again; the third fault is a database \
                outage instead: %s, for %d s.
                Machine: %d cores, load average %s when the run started.""", SEED, NAMES.size(), RATE, LOAD.toSeconds(),
                Kind.mix(), SHORTEST_GAP.toSeconds(), LONGEST_GAP.toSeconds(), outage, OUTAGE.toSeconds(),
                Runtime.getRuntime().availableProcessors(), loadAverage);
    }

    private Optional<Outage> outage() {
        if (outageDown == null) {
            return Optional.empty();
        }
        Optional<Duration> accepting = submissions.stream().map(submission -> submission.acceptedAt)
                .filter(at -> at != null && at.isAfter(outageUp)).min(Comparator.naturalOrder())
                .map(at -> Duration.between(outageUp, at));
        return Optional.of(new Outage(RESTART_DATABASE ? "PostgreSQL restarted" : "connections cut", outageDown, outageUp,
                readyAfterOutage == null ? Duration.ZERO : readyAfterOutage, accepting));
    }

    /** Genesys' execute calls per correlation id: the retry's request id. */
    private Map<String, Integer> executions() {
        Map<String, Integer> calls = new HashMap<>();
        for (ServeEvent event : genesys.getAllServeEvents()) {
            if (event.getRequest().getUrl().endsWith("/execute")) {
                calls.merge(String.valueOf(event.getRequest().getHeader(CORRELATION_HEADER)), 1, Integer::sum);
            }
        }
        return calls;
    }

    private Map<String, Instant> firstDuesAnswered() {
        Map<String, Instant> dues = new HashMap<>();
        submissions.stream().filter(submission -> submission.firstDue != null)
                .forEach(submission -> dues.put(submission.requestId, submission.firstDue));
        return dues;
    }

    /** The waits of every replica's audit trail (the production JSON format), per request id. */
    private Map<String, List<Wait>> waits() throws IOException {
        Map<String, List<Wait>> waits = new HashMap<>();
        for (Replica replica : launched) {
            for (String line : Files.readAllLines(replica.outputFile(), StandardCharsets.UTF_8)) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode event = Replica.json(line);
                String name = event.path("event").asText();
                if (Set.of("RETRY_ACCEPTED", "RATE_LIMIT", "SERVER_ERROR").contains(name)) {
                    waits.computeIfAbsent(event.path("requestId").asText(), id -> new ArrayList<>())
                            .add(new Wait(event.path("attempt").asInt(0), loggedAt(event),
                                    Duration.ofMillis(event.path("delayMs").asLong())));
                }
            }
        }
        return waits;
    }

    /**
     * The ERROR lines of every replica's output, counted by message: no promise, but an outage should be told in a few
     * lines, not in one per failed query.
     */
    private String errorLines() throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (Replica replica : launched) {
            for (String line : Files.readAllLines(replica.outputFile(), StandardCharsets.UTF_8)) {
                if (line.startsWith("{") && line.contains("\"level\":\"ERROR\"")) {
                    JsonNode event = Replica.json(line);
                    String exception = event.path("exception").path("message").asText("");
                    counts.merge(event.path("message").asText() + (exception.isEmpty() ? "" : ": " + exception), 1,
                            Integer::sum);
                }
            }
        }
        return "\nERROR lines in the replicas' output: " + counts.values().stream().mapToInt(Integer::intValue).sum()
                + counts.entrySet().stream().sorted(Map.Entry.<String, Integer> comparingByValue().reversed())
                        .map(count -> "\n- " + count.getValue() + " x " + count.getKey()).collect(Collectors.joining())
                + "\n";
    }

    private static Instant loggedAt(JsonNode event) {
        try {
            return OffsetDateTime.parse(event.path("timestamp").asText()).toInstant();
        } catch (DateTimeParseException unknownFormat) {
            return Instant.EPOCH;
        }
    }

    /** The URL of the replicas' database through a proxy that can cut them off it. */
    private String throughProxy() {
        URI database = URI.create(ReplicaDatabase.URL);
        proxy = new TcpProxy(database.getHost(), database.getPort() == -1 ? 5432 : database.getPort());
        return database.getScheme() + "://" + (database.getRawUserInfo() == null ? "" : database.getRawUserInfo() + "@")
                + "127.0.0.1:" + proxy.port() + database.getRawPath()
                + (database.getRawQuery() == null ? "" : "?" + database.getRawQuery());
    }

    private static Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:" + ReplicaDatabase.URL, PostgresDatabase.USERNAME,
                PostgresDatabase.PASSWORD);
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection database = database();
                Statement statement = database.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static List<String> replicaIdsNamed(String name) throws SQLException {
        try (Connection database = database();
                PreparedStatement query = database
                        .prepareStatement("SELECT replica_id FROM replicas WHERE replica_id LIKE ?")) {
            query.setString(1, "replica-" + name + "-%");
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    /** The unfinished retries a replica holds, by request id. */
    private static Map<String, Held> heldBy(String replicaId) {
        try (Connection database = database(); PreparedStatement query = database.prepareStatement("""
                SELECT request_id::text, status, due_at, attempt_number FROM retries
                 WHERE leased_by = ? AND status IN ('PENDING', 'IN_FLIGHT')""")) {
            query.setString(1, replicaId);
            Map<String, Held> held = new HashMap<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    OffsetDateTime due = rows.getObject("due_at", OffsetDateTime.class);
                    held.put(rows.getString(1), new Held(rows.getString("status"), due == null ? null : due.toInstant(),
                            (Integer) rows.getObject("attempt_number")));
                }
            }
            return held;
        } catch (SQLException failed) {
            throw new IllegalStateException("Could not read what replica " + replicaId + " held", failed);
        }
    }

    private static List<StoredRetry> storedRetries() throws SQLException, IOException {
        List<StoredRetry> retries = new ArrayList<>();
        try (Connection database = database();
                Statement statement = database.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT request_id::text, action_id, status, accepted_at, attempts::text FROM retries")) {
            while (rows.next()) {
                List<ChaosReport.Attempt> attempts = new ArrayList<>();
                for (JsonNode attempt : JSON.readTree(rows.getString(5))) {
                    attempts.add(new ChaosReport.Attempt(attempt.path("number").asInt(),
                            Instant.parse(attempt.path("startedAt").asText()), attempt.path("durationMs").asLong(),
                            attempt.path("outcome").asText()));
                }
                retries.add(new StoredRetry(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getObject(4, OffsetDateTime.class).toInstant(), attempts));
            }
        }
        return retries;
    }
}
