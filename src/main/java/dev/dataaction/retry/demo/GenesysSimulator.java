package dev.dataaction.retry.demo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.UrlPattern;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * A simulated Genesys Cloud for dev mode, so that the service can be tried without a Genesys organisation: a token
 * endpoint and four actions that behave like real ones. Only built in dev mode; WireMock is a provided dependency and
 * never ships in the packaged application.
 */
@IfBuildProfile("dev")
@ApplicationScoped
class GenesysSimulator {

    static final String CLIENT_ID = "demo-client";
    static final String CLIENT_SECRET = "demo-secret";
    private static final Logger LOG = Logger.getLogger(GenesysSimulator.class);
    private static final String JSON = "application/json";
    private static final String BALANCE = "{\"balance\":\"42.00\",\"currency\":\"EUR\"}";

    private WireMockServer server;

    void start(@Observes StartupEvent started,
            @ConfigProperty(name = SimulatorConfigFactory.PORT_KEY) Optional<Integer> port) {
        if (port.isEmpty()) {
            return;
        }
        server = new WireMockServer(wireMockConfig().port(port.get()).bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(post(urlEqualTo("/oauth/token")).willReturn(json(200,
                "{\"access_token\":\"demo-token\",\"token_type\":\"bearer\",\"expires_in\":3600}")));
        String ticket = "{\"ticketId\":\"T-1001\",\"status\":\"created\"}";
        server.stubFor(post(execute("demo-success")).willReturn(json(200, ticket)));
        rateLimitedTwiceThenSuccess();
        String unavailable = "{\"message\":\"The remote endpoint is unavailable\",\"code\":\"service.unavailable\","
                + "\"status\":503,\"contextId\":\"demo-ctx-503\"}";
        server.stubFor(post(execute("demo-unavailable")).willReturn(json(503, unavailable)));
        String rejected = "{\"message\":\"The remote endpoint rejected the request\",\"code\":\"bad.request\","
                + "\"status\":400,\"contextId\":\"demo-ctx-400\",\"details\":[{\"errorCode\":\"ACTION.REMOTE_ENDPOINT\"}]}";
        server.stubFor(post(execute("demo-bad-request")).willReturn(json(400, rejected)));
        dryRuns(ticket, unavailable, rejected);
        LOG.infof("Simulated Genesys Cloud on %s: actions demo-success, demo-rate-limited, demo-unavailable, "
                + "demo-bad-request", server.baseUrl());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (server != null) {
            server.stop();
        }
    }

    /** 429 with Retry-After: 2, twice, then 200; the cycle starts again for the next retry. */
    private void rateLimitedTwiceThenSuccess() {
        String scenario = "demo-rate-limited";
        String limit = "{\"message\":\"Rate limit exceeded the maximum. Retry the request in [2] seconds\","
                + "\"code\":\"too.many.requests\",\"status\":429}";
        server.stubFor(post(execute(scenario)).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(429, limit).withHeader("Retry-After", "2")).willSetStateTo("limited once"));
        server.stubFor(post(execute(scenario)).inScenario(scenario).whenScenarioStateIs("limited once")
                .willReturn(json(429, limit).withHeader("Retry-After", "2")).willSetStateTo("limited twice"));
        server.stubFor(post(execute(scenario)).inScenario(scenario).whenScenarioStateIs("limited twice")
                .willReturn(json(200, BALANCE)).willSetStateTo(Scenario.STARTED));
    }

    /**
     * Genesys' test endpoint: a 200 whose report says, step by step, what executing the action does now. An action whose
     * remote endpoint fails fails its dry run at the request, with the error Genesys would answer an execution with.
     */
    private void dryRuns(String ticket, String unavailable, String rejected) {
        passes("demo-success", ticket);
        passes("demo-rate-limited", BALANCE);
        fails("demo-unavailable", unavailable);
        fails("demo-bad-request", rejected);
    }

    private void passes(String actionId, String result) {
        server.stubFor(post(test(actionId)).willReturn(json(200, "{\"operations\":[" + step(1, "Resolve request", true,
                "{}", null) + "," + step(2, "Execute request", true, result, null) + ","
                + step(3, "Apply output translation", true, result, null)
                + "],\"error\":null,\"finalResult\":" + result + ",\"success\":true}")));
    }

    private void fails(String actionId, String error) {
        server.stubFor(post(test(actionId)).willReturn(json(200, "{\"operations\":[" + step(1, "Resolve request", true,
                "{}", null) + "," + step(2, "Execute request", false, null, error) + "],\"error\":" + error
                + ",\"finalResult\":null,\"success\":false}")));
    }

    private static String step(int number, String name, boolean success, String result, String error) {
        return "{\"step\":" + number + ",\"name\":\"" + name + "\",\"success\":" + success + ",\"result\":" + result
                + ",\"error\":" + error + "}";
    }

    /** The path alone: a retry that asks for flattened output adds {@code ?flatten=true}. */
    private static UrlPattern execute(String actionId) {
        return urlPathEqualTo("/api/v2/integrations/actions/" + actionId + "/execute");
    }

    private static UrlPattern test(String actionId) {
        return urlPathEqualTo("/api/v2/integrations/actions/" + actionId + "/test");
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON).withBody(body);
    }
}
