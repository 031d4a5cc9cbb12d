package dev.dataaction.retry.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;

/**
 * Genesys Cloud, played by WireMock on a free port: the login service's token endpoint and the Platform API. The token
 * endpoint is stubbed before the application starts. Tests reach the server through {@link #server()}.
 */
public class GenesysStub implements QuarkusTestResourceLifecycleManager {

    public static final String CLIENT_ID = "test-client";
    public static final String CLIENT_SECRET = "s3cr3t-client-value-never-logged";
    public static final String ACCESS_TOKEN = "token-value-never-logged";
    public static final String TOKEN_PATH = "/oauth/token";

    private static volatile WireMockServer server;

    public static WireMockServer server() {
        return server;
    }

    /** Stubs the token endpoint to hand out {@code token} valid for {@code expiresIn} seconds. */
    public static void stubToken(WireMockServer on, String token, int expiresIn) {
        on.stubFor(post(urlEqualTo(TOKEN_PATH)).atPriority(10).willReturn(tokenResponse(token, expiresIn)));
    }

    /** The login service's answer to a client-credentials grant. */
    public static ResponseDefinitionBuilder tokenResponse(String token, int expiresIn) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":" + expiresIn + "}");
    }

    /** Forgets every stub and every logged request, then stubs the token endpoint again; {@link CleanSlate} calls it. */
    public static void reset() {
        server.resetAll();
        stubToken(server, ACCESS_TOKEN, 86_400);
    }

    /** The path of Genesys' execute endpoint for an action. */
    public static String executePath(String actionId) {
        return "/api/v2/integrations/actions/" + actionId + "/execute";
    }

    /** The path of Genesys' test endpoint for an action: a dry run, answered with a report step by step. */
    public static String testPath(String actionId) {
        return "/api/v2/integrations/actions/" + actionId + "/test";
    }

    /**
     * Genesys' test endpoint's 200: the report of an execution whose request step succeeded with {@code finalResult}, or
     * failed with {@code error} (Genesys' error body) when {@code finalResult} is null.
     */
    public static ResponseDefinitionBuilder testReport(String finalResult, String error) {
        boolean success = finalResult != null;
        String request = "{\"step\":2,\"name\":\"Execute request\",\"success\":" + success + ",\"result\":"
                + finalResult + ",\"error\":" + error + "}";
        return ok("{\"operations\":[{\"step\":1,\"name\":\"Resolve request\",\"success\":true,\"result\":{},"
                + "\"error\":null}," + request + "],\"error\":" + error + ",\"finalResult\":" + finalResult
                + ",\"success\":" + success + "}");
    }

    /** The path of the run-submission contract ({@code genesys.mode=runs}) for an action. */
    public static String runsPath(String actionId) {
        return "/api/v2/integration/actions/" + actionId + "/runs";
    }

    /**
     * Answers POSTs to {@code path} with {@code answers} in order; the last answer is repeated for every later call.
     */
    public static void stubSequence(String path, ResponseDefinitionBuilder... answers) {
        stubSequence(() -> post(urlEqualTo(path)), path, answers);
    }

    /**
     * Answers requests matching {@code request} with {@code answers} in order; the last one is repeated. Each
     * {@code scenario} name keeps its own position in the sequence.
     */
    public static void stubSequence(Supplier<MappingBuilder> request, String scenario,
            ResponseDefinitionBuilder... answers) {
        stubSequence(server, request, scenario, answers);
    }

    /**
     * The same, on a WireMock server of the caller's own (one that plays Genesys for processes the test starts, for
     * example).
     */
    public static void stubSequence(WireMockServer on, Supplier<MappingBuilder> request, String scenario,
            ResponseDefinitionBuilder... answers) {
        if (answers.length == 0) {
            throw new IllegalArgumentException("at least one answer is needed");
        }
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer-" + i;
            ScenarioMappingBuilder step = request.get().inScenario(scenario).whenScenarioStateIs(state).willReturn(answers[i]);
            if (i < answers.length - 1) {
                step = step.willSetStateTo("answer-" + (i + 1));
            }
            on.stubFor(step);
        }
    }

    /** A JSON answer. */
    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** A 200 with the action's output. */
    public static ResponseDefinitionBuilder ok(String body) {
        return json(200, body);
    }

    /** Genesys' standard error body. */
    public static ResponseDefinitionBuilder genesysError(int status, String code, String message, String contextId) {
        return json(status, "{\"message\":\"" + message + "\",\"code\":\"" + code + "\",\"status\":" + status
                + ",\"contextId\":\"" + contextId + "\",\"details\":[],\"errors\":[]}");
    }

    /** A 429 as Genesys sends it, with a {@code Retry-After} header (delay-seconds or an HTTP date). */
    public static ResponseDefinitionBuilder rateLimited(String retryAfter) {
        return genesysError(429, "too.many.requests",
                "Rate limit exceeded the maximum. Retry the request in [" + retryAfter + "] seconds", "ctx-429")
                .withHeader("Retry-After", retryAfter);
    }

    /** Requests received on {@code path}, oldest first. */
    public static List<LoggedRequest> requestsTo(String path) {
        List<ServeEvent> newestFirst = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(newestFirst);
        List<LoggedRequest> oldestFirst = new ArrayList<>();
        for (ServeEvent event : newestFirst) {
            if (event.getRequest().getUrl().equals(path)) {
                oldestFirst.add(event.getRequest());
            }
        }
        // the journal is newest first; a stable sort on the log time keeps requests of the same millisecond in order
        oldestFirst.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
        return oldestFirst;
    }

    /** How many requests reached {@code path}. */
    public static int countOf(String path) {
        return requestsTo(path).size();
    }

    /** How many requests reached the Platform API (anything but the token endpoint). */
    public static int apiRequests() {
        return (int) server.getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().startsWith("/api/"))
                .count();
    }

    /** How many tokens were requested from the login service. */
    public static int tokenRequests() {
        return countOf(TOKEN_PATH);
    }

    /** The API key the application under test accepts; this resource configures it. */
    public static final String API_KEY = "test-api-key";

    /** Every request of the tests carries the API key, unless the test sets the header itself. */
    private static final Filter SEND_API_KEY = (request, response, context) -> {
        if (!request.getHeaders().hasHeaderWithName("X-API-Key")) {
            request.header("X-API-Key", API_KEY);
        }
        return context.next(request, response);
    };

    @Override
    public Map<String, String> start() {
        if (!RestAssured.filters().contains(SEND_API_KEY)) {
            RestAssured.filters(SEND_API_KEY);
        }
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        stubToken(server, ACCESS_TOKEN, 86_400);
        return Map.of(
                "genesys.api-url", server.baseUrl(),
                "genesys.login-url", server.baseUrl(),
                "genesys.client-id", CLIENT_ID,
                "genesys.client-secret", CLIENT_SECRET,
                "orchestrator.api-keys", API_KEY);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
