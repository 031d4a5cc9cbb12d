package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A login service that is down when the application starts: the OIDC client is pointed at a free port where nothing
 * listens, so token requests are refused, until a test brings the login service up there with {@link #comeUp}. The
 * Platform API stays the {@link GenesysStub}'s.
 */
public class LoginServiceDown implements QuarkusTestResourceLifecycleManager {

    private static volatile int port;
    private static volatile WireMockServer server;

    @Override
    public Map<String, String> start() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException noFreePort) {
            throw new UncheckedIOException(noFreePort);
        }
        return Map.of("quarkus.oidc-client.auth-server-url", "http://127.0.0.1:" + port);
    }

    /** Starts the login service on its port, answering every token request with {@code answer}, and returns it. */
    static WireMockServer comeUp(ResponseDefinitionBuilder answer) {
        server = new WireMockServer(wireMockConfig().port(port).bindAddress("127.0.0.1"));
        server.start();
        answerWith(answer);
        return server;
    }

    /** From now on the login service answers every token request with {@code answer}. */
    static void answerWith(ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).willReturn(answer));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
