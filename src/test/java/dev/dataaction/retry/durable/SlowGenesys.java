package dev.dataaction.retry.durable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.dataaction.retry.support.GenesysStub;

/**
 * Genesys Cloud as a slow integration: every execute call is answered 200 after a fixed delay, and the calls on the wire
 * at once are counted, whichever replica sent them. A call counts from its arrival until its answer is about to be sent:
 * a replica frees its slot only once it has the answer, so the next call of a slot can never overlap the one before in
 * this count. The token endpoint answers at once with a token valid for a day.
 */
final class SlowGenesys implements AutoCloseable {

    private static final String RESULT = "{\"ticketId\":\"T-1001\",\"status\":\"created\"}";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration delay;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final AtomicInteger executions = new AtomicInteger();

    private SlowGenesys(Duration delay) throws IOException {
        this.delay = delay;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(threads);
        server.createContext(GenesysStub.TOKEN_PATH, exchange -> {
            exchange.getRequestBody().readAllBytes();
            answer(exchange, "{\"access_token\":\"" + GenesysStub.ACCESS_TOKEN
                    + "\",\"token_type\":\"bearer\",\"expires_in\":86400}");
        });
        server.createContext("/api/v2/integrations/actions/", this::execute);
    }

    /** Starts answering every execute call after {@code delay}. */
    static SlowGenesys answeringAfter(Duration delay) {
        try {
            SlowGenesys genesys = new SlowGenesys(delay);
            genesys.server.start();
            return genesys;
        } catch (IOException failed) {
            throw new UncheckedIOException("Could not start the Genesys stand-in", failed);
        }
    }

    /** What the replicas are given as Genesys' API and login URL. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The most execute calls that were on the wire at once since the start or the last {@link #forget()}. */
    int mostInFlight() {
        return mostInFlight.get();
    }

    /** Execute calls received since the start or the last {@link #forget()}. */
    int executions() {
        return executions.get();
    }

    /** Forgets the counts, once no call is on the wire. */
    void forget() {
        mostInFlight.set(inFlight.get());
        executions.set(0);
    }

    private void execute(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        executions.incrementAndGet();
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
        answer(exchange, RESULT);
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
