package dev.dataaction.retry.packaging;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PackagedApplication;

/**
 * The packaged application (the jar, or the native executable of a native build) as production runs it, with no
 * profile: every console line is one JSON object that a log collector can parse, audit events carry their fields at the
 * top level with counts as numbers, and neither the request's payload nor the token shows anywhere.
 */
class ProductionLogIT {

    private static final String API_KEY = "production-log-it-api-key";
    /** In the request's payload only: personal data, which must never reach the log. */
    private static final String PAYLOAD_MARKER = "customer-4711-never-logged";
    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[^\\s,\"]+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private WireMockServer genesys;
    private Process application;
    private Path output;

    @BeforeEach
    void startGenesys() {
        genesys = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        genesys.start();
        GenesysStub.stubToken(genesys, GenesysStub.ACCESS_TOKEN, 86_400);
    }

    @AfterEach
    void stopEverything() throws IOException {
        if (application != null) {
            application.destroyForcibly();
        }
        genesys.stop();
        if (output != null) {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void everyLineIsJsonAndAuditEventsCarryTheirFieldsAtTheTopLevel() throws Exception {
        String action = "action-production-log";
        genesys.stubFor(post(urlEqualTo(GenesysStub.executePath(action)))
                .willReturn(GenesysStub.ok("{\"ticketId\":\"T-1\"}")));
        URI base = start();

        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/retries"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"actionId\":\"" + action + "\",\"originalRunId\":\"run-1\","
                        + "\"requestPayload\":{\"customerId\":\"" + PAYLOAD_MARKER + "\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String requestId = JSON.readTree(accepted.body()).path("requestId").asText();
        await("the retry's success in the log").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.readString(output, StandardCharsets.UTF_8).lines()
                        .anyMatch(line -> line.contains("RETRY_SUCCESS") && line.contains(requestId)));
        application.destroy();
        assertThat(application.waitFor(30, TimeUnit.SECONDS)).as("the application stops on SIGTERM").isTrue();

        List<JsonNode> lines = lines();
        assertThat(lines).as("log lines").hasSizeGreaterThan(2);
        JsonNode success = auditEvent(lines, "RETRY_SUCCESS", requestId);
        assertThat(success.path("level").asText()).isEqualTo("INFO");
        assertThat(success.path("loggerName").asText()).isEqualTo("dev.dataaction.retry.audit");
        assertThat(success.path("actionId").asText()).isEqualTo(action);
        assertThat(success.path("originalRunId").asText()).isEqualTo("run-1");
        assertThat(success.path("attempt").isIntegralNumber()).as("attempt is a number").isTrue();
        assertThat(success.path("latencyMs").isIntegralNumber()).as("latencyMs is a number").isTrue();
        assertThat(success.has("mdc")).as("fields are not nested under mdc").isFalse();
        assertThat(auditEvent(lines, "RETRY_ACCEPTED", requestId).path("payloadBytes").isIntegralNumber()).isTrue();
        assertThat(Files.readString(output, StandardCharsets.UTF_8)).doesNotContain(PAYLOAD_MARKER)
                .doesNotContain(GenesysStub.ACCESS_TOKEN).doesNotContain(GenesysStub.CLIENT_SECRET)
                .doesNotContain(API_KEY);
    }

    /** Starts the application without a profile, as production does, and waits until it is ready. */
    private URI start() throws IOException {
        output = Files.createTempFile("production-log", ".log");
        ProcessBuilder builder = new ProcessBuilder(PackagedApplication.ofThisBuild().command(List.of(),
                Map.of("quarkus.http.host", "127.0.0.1", "quarkus.http.port", "0", "quarkus.shutdown.delay", "0s",
                        "genesys.api-url", genesys.baseUrl(), "genesys.login-url", genesys.baseUrl())))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("GENESYS_")
                || variable.startsWith("ORCHESTRATOR_") || variable.startsWith("QUARKUS_"));
        builder.environment().putAll(Map.of("GENESYS_CLIENT_ID", GenesysStub.CLIENT_ID, "GENESYS_CLIENT_SECRET",
                GenesysStub.CLIENT_SECRET, "ORCHESTRATOR_API_KEYS", API_KEY));
        application = builder.start();
        AtomicReference<URI> base = new AtomicReference<>();
        await("the application ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .failFast("the application exited while starting", () -> !application.isAlive())
                .ignoreException(IOException.class)
                .until(() -> {
                    if (base.get() == null) {
                        Matcher listening = LISTENING.matcher(Files.readString(output, StandardCharsets.UTF_8));
                        if (!listening.find()) {
                            return false;
                        }
                        base.set(URI.create(listening.group(1)));
                    }
                    return HTTP.send(HttpRequest.newBuilder(base.get().resolve("/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
        return base.get();
    }

    /** Every line printed so far, each parsed as JSON; a line that is not a JSON object fails the test. */
    private List<JsonNode> lines() throws IOException {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
                parsed.add(node);
            } catch (JsonProcessingException notJson) {
                throw new AssertionError("Not a JSON log line: " + line, notJson);
            }
        }
        return parsed;
    }

    private static JsonNode auditEvent(List<JsonNode> lines, String event, String requestId) {
        return lines.stream().filter(line -> event.equals(line.path("event").asText())
                && requestId.equals(line.path("requestId").asText())).findFirst().orElse(null);
    }
}
