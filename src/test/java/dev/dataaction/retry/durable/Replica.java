package dev.dataaction.retry.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PackagedApplication;
import dev.dataaction.retry.support.PostgresDatabase;

/**
 * One replica: the packaged application started as production starts it, a process of its own listening on a free port,
 * configured through its environment. Its console output goes to a file, shown when a test fails.
 */
final class Replica {

    static final String API_KEY = "replicas-it-api-key";
    /** Start-up on a busy build machine, Flyway's migration included. */
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[^\\s,\"]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Process process;
    private final Path output;
    private volatile URI base;

    private Replica(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts the packaged application, the jar or the native executable, whichever the build made. Inherited
     * {@code GENESYS_*}, {@code ORCHESTRATOR_*} and {@code QUARKUS_*} variables are dropped, so that only
     * {@code environment} and {@code settings} (system properties) configure it.
     */
    static Replica launch(String name, Map<String, String> environment, Map<String, String> settings, Path output) {
        List<String> command = PackagedApplication.ofThisBuild()
                .command(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), settings);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("GENESYS_")
                || variable.startsWith("ORCHESTRATOR_") || variable.startsWith("QUARKUS_"));
        builder.environment().putAll(environment);
        try {
            return new Replica(name, builder.start(), output);
        } catch (IOException failed) {
            throw new UncheckedIOException("Could not start replica " + name, failed);
        }
    }

    String name() {
        return name;
    }

    /** Waits until the replica listens and its readiness probe is UP; fails at once if it exits. */
    Replica awaitReady() {
        await("replica " + name + " ready").atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .failFast("replica " + name + " exited while starting", () -> !process.isAlive())
                .ignoreException(IOException.class)
                .until(this::ready);
        return this;
    }

    private boolean ready() throws IOException, InterruptedException {
        if (base == null) {
            Matcher listening = LISTENING.matcher(output());
            if (!listening.find()) {
                return false;
            }
            base = URI.create(listening.group(1));
        }
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** Whether the replica listens and answers its readiness probe with UP now; false while it cannot tell. */
    boolean isReady() {
        try {
            return process.isAlive() && ready();
        } catch (IOException unanswered) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** POSTs a retry request to {@code /v1/retries}; the answer comes when the replica gives it. */
    CompletableFuture<HttpResponse<String>> submit(String actionId, String originalRunId) {
        String body = JSON.createObjectNode().put("actionId", actionId).put("originalRunId", originalRunId)
                .set("requestPayload", JSON.createObjectNode().put("customerId", "C-1001")).toString();
        return HTTP.sendAsync(api("/v1/retries").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a retry that must be accepted as new; returns its requestId. */
    String submitNew(String actionId, String originalRunId) {
        HttpResponse<String> answer = submit(actionId, originalRunId).join();
        assertThat(answer.statusCode()).as("replica %s's answer to a new retry: %s", name, answer.body()).isEqualTo(202);
        return json(answer.body()).path("requestId").asText();
    }

    /** The retry's record, as this replica reads it from the shared store. */
    JsonNode record(String requestId) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(api("/v1/retries/" + requestId).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("replica %s's answer for retry %s: %s", name, requestId, answer.body())
                .isEqualTo(200);
        return json(answer.body());
    }

    /**
     * Calls the replica's API, {@code /v1/limits} or {@code /v1/actions/...} for example, with a JSON body or none, and
     * requires a 200; returns the answer.
     */
    JsonNode call(String method, String path, String jsonBody) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody);
        HttpResponse<String> answer = HTTP.send(api(path).header("Content-Type", "application/json")
                .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("replica %s's answer to %s %s: %s", name, method, path, answer.body())
                .isEqualTo(200);
        return json(answer.body());
    }

    /** The unfinished retries this replica holds, as its readiness probe reports them ({@code inUse}). */
    int retriesHeld() throws IOException, InterruptedException {
        JsonNode readiness = json(HTTP.send(api("/q/health/ready").GET().build(), HttpResponse.BodyHandlers.ofString())
                .body());
        for (JsonNode check : readiness.path("checks")) {
            if ("retries".equals(check.path("name").asText())) {
                return check.path("data").path("inUse").asInt();
            }
        }
        throw new AssertionError("No retries check in replica " + name + "'s readiness: " + readiness);
    }

    /** Stops the replica as Kubernetes does, with SIGTERM, and waits until it has exited. */
    void stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("replica %s exits after SIGTERM", name).isTrue();
    }

    /** Kills the replica at once (SIGKILL), as a crash or an evicted node would: it hands nothing back. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("replica %s exits after SIGKILL", name).isTrue();
    }

    /** Kills the replica if it still runs; for the clean-up after a test. */
    void killIfAlive() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** What the replica printed so far. */
    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            return "(output " + output + " could not be read: " + unreadable.getMessage() + ")";
        }
    }

    Path outputFile() {
        return output;
    }

    /**
     * A replica's environment with the PostgreSQL store, as a deployment sets it. The leases it takes and its heartbeat
     * name it: {@code replica-<name>-<random suffix>}.
     */
    static Map<String, String> postgresEnvironment(String name, String databaseUrl, String genesysUrl) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("HOSTNAME", "replica-" + name);
        environment.put("ORCHESTRATOR_STORE", "postgres");
        environment.put("ORCHESTRATOR_DB_URL", databaseUrl);
        environment.put("QUARKUS_DATASOURCE_USERNAME", PostgresDatabase.USERNAME);
        if (!PostgresDatabase.PASSWORD.isEmpty()) {
            environment.put("QUARKUS_DATASOURCE_PASSWORD", PostgresDatabase.PASSWORD);
        }
        environment.put("GENESYS_API_URL", genesysUrl);
        environment.put("GENESYS_LOGIN_URL", genesysUrl);
        environment.put("GENESYS_CLIENT_ID", GenesysStub.CLIENT_ID);
        environment.put("GENESYS_CLIENT_SECRET", GenesysStub.CLIENT_SECRET);
        environment.put("ORCHESTRATOR_API_KEYS", API_KEY);
        return environment;
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException notJson) {
            throw new AssertionError("Not a JSON answer: " + body, notJson);
        }
    }

    private HttpRequest.Builder api(String path) {
        assertThat(base).as("replica %s has started", name).isNotNull();
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).header("X-API-Key", API_KEY);
    }
}
