package dev.dataaction.retry.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The dev-mode demo's simulated Genesys Cloud answers as the README's walk-through says. */
class GenesysSimulatorTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final GenesysSimulator simulator = new GenesysSimulator();
    private String baseUrl;

    @BeforeEach
    void start() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        simulator.start(null, Optional.of(port));
        baseUrl = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        simulator.stop(null);
    }

    @Test
    void issuesATokenForTheClientCredentialsGrant() throws Exception {
        HttpResponse<String> token = post("/oauth/token", "grant_type=client_credentials");

        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(token.body()).contains("\"access_token\"").contains("\"expires_in\"");
    }

    @Test
    void eachDemoActionBehavesAsDocumented() throws Exception {
        assertThat(execute("demo-success").statusCode()).isEqualTo(200);

        HttpResponse<String> limited = execute("demo-rate-limited");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("2");
        assertThat(execute("demo-rate-limited").statusCode()).isEqualTo(429);
        assertThat(execute("demo-rate-limited").statusCode()).isEqualTo(200);
        assertThat(execute("demo-rate-limited").statusCode()).as("the cycle starts again").isEqualTo(429);

        assertThat(execute("demo-unavailable").statusCode()).isEqualTo(503);
        assertThat(execute("demo-unavailable").statusCode()).isEqualTo(503);

        HttpResponse<String> bad = execute("demo-bad-request");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("ACTION.REMOTE_ENDPOINT");
    }

    @Test
    void dryRunsReportStepByStepWhatEachDemoActionDoesNow() throws Exception {
        JsonNode passed = json.readTree(test("demo-success").body());
        assertThat(passed.path("success").asBoolean()).isTrue();
        assertThat(passed.path("finalResult").path("ticketId").asText()).isEqualTo("T-1001");
        assertThat(passed.path("operations")).allSatisfy(step -> assertThat(step.path("success").asBoolean()).isTrue());
        assertThat(json.readTree(test("demo-rate-limited").body()).path("success").asBoolean())
                .as("Genesys' own rate limit is not the action's to report").isTrue();

        for (String failing : new String[] { "demo-unavailable", "demo-bad-request" }) {
            HttpResponse<String> answer = test(failing);
            JsonNode report = json.readTree(answer.body());
            assertThat(answer.statusCode()).as("the test itself succeeds").isEqualTo(200);
            assertThat(report.path("success").asBoolean()).as(failing).isFalse();
            assertThat(report.path("finalResult").isNull()).isTrue();
            assertThat(report.path("operations").get(report.path("operations").size() - 1).path("error").path("code")
                    .asText()).isEqualTo(report.path("error").path("code").asText()).isNotEmpty();
        }
    }

    @Test
    void anExecutionAskingForFlattenedOutputIsAnsweredToo() throws Exception {
        assertThat(post("/api/v2/integrations/actions/demo-success/execute?flatten=true", "{}").statusCode())
                .isEqualTo(200);
    }

    private HttpResponse<String> test(String actionId) throws Exception {
        return post("/api/v2/integrations/actions/" + actionId + "/test", "{\"customerId\":\"C-1001\"}");
    }

    private HttpResponse<String> execute(String actionId) throws Exception {
        return post("/api/v2/integrations/actions/" + actionId + "/execute", "{\"customerId\":\"C-1001\"}");
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
