package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A login service that is down when the application starts: the OIDC client is pointed at a free port where nothing
 * listens, so token requests are refused, until a test brings the login service up there with {@link #comeUp}, or makes
 * it accept connections and never answer with {@link #goSilent}. The Platform API stays the {@link GenesysStub}'s.
 */
public class LoginServiceDown implements QuarkusTestResourceLifecycleManager {

    private static volatile int port;
    private static volatile WireMockServer server;
    private static volatile ServerSocket silent;
    private static final List<Socket> unanswered = new CopyOnWriteArrayList<>();

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
        stopBeingSilent();
        server = new WireMockServer(wireMockConfig().port(port).bindAddress("127.0.0.1"));
        server.start();
        answerWith(answer);
        return server;
    }

    /** From now on the login service answers every token request with {@code answer}. */
    static void answerWith(ResponseDefinitionBuilder answer) {
        server.stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).willReturn(answer));
    }

    /**
     * From now on the login service accepts every connection on its port and never sends a byte, until it comes up again.
     */
    static void goSilent() {
        if (server != null) {
            server.stop();
            server = null;
        }
        if (silent != null) {
            return;
        }
        try {
            ServerSocket listening = new ServerSocket();
            listening.setReuseAddress(true);
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            silent = listening;
            Thread.ofPlatform().daemon().name("silent-login-service").start(() -> {
                while (!listening.isClosed()) {
                    try {
                        unanswered.add(listening.accept());
                    } catch (IOException closed) {
                        // stopBeingSilent closed the socket
                    }
                }
            });
        } catch (IOException portTaken) {
            throw new UncheckedIOException(portTaken);
        }
    }

    /** How many connections the login service accepted and left unanswered since it last went silent. */
    static int unansweredConnections() {
        return unanswered.size();
    }

    private static void stopBeingSilent() {
        if (silent == null) {
            return;
        }
        try {
            silent.close();
            for (Socket connection : unanswered) {
                connection.close();
            }
        } catch (IOException alreadyClosed) {
            // nothing left to close
        }
        unanswered.clear();
        silent = null;
    }

    @Override
    public void stop() {
        stopBeingSilent();
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
