package dev.dataaction.retry.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The operator's webhook receiver, played by WireMock on a free port. It answers 204 to every delivery unless a test
 * stubs otherwise; tests reach the server through {@link #server()}.
 */
public class WebhookReceiverStub implements QuarkusTestResourceLifecycleManager {

    /** The key the orchestrator signs deliveries with ({@code orchestrator.webhook.secret}). */
    public static final String SECRET = "webhook-secret-never-logged";
    public static final String PATH = "/hooks/retries";

    private static volatile WireMockServer server;

    public static WireMockServer server() {
        return server;
    }

    /** Forgets earlier deliveries and stubs, then accepts every delivery with 204. */
    public static void reset() {
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(204)));
    }

    /** The deliveries received so far whose body mentions {@code text}, such as a requestId or an actionId. */
    public static List<LoggedRequest> deliveriesMentioning(String text) {
        return server.findAll(anyRequestedFor(anyUrl()).withRequestBody(containing(text)));
    }

    /** Every delivery received since the last {@link #reset()}. */
    public static List<LoggedRequest> allDeliveries() {
        return server.findAll(anyRequestedFor(anyUrl()));
    }

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        reset();
        return Map.of(
                "orchestrator.webhook.url", server.baseUrl() + PATH,
                "orchestrator.webhook.secret", SECRET);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
