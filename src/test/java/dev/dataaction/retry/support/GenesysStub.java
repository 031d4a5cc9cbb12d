package dev.dataaction.retry.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

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

    private static volatile WireMockServer server;

    public static WireMockServer server() {
        return server;
    }

    /** Stubs the token endpoint to hand out {@code token} valid for {@code expiresIn} seconds. */
    public static void stubToken(WireMockServer on, String token, int expiresIn) {
        on.stubFor(post(urlEqualTo("/oauth/token")).atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":"
                                + expiresIn + "}")));
    }

    /** The API key of the test profile ({@code %test.orchestrator.api-keys}). */
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
                "genesys.client-secret", CLIENT_SECRET);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
