package dev.dataaction.retry.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dataaction.retry.support.GenesysStub;

/**
 * A caller on a slow line, on a plain socket: it sends the headers of a POST at once, then its body one byte at a time
 * with a pause after each, and reads the answer once the last byte is out.
 */
final class SlowClient {

    /** The answer the slow client got: its status and body. */
    record Answer(int status, String body) {
    }

    private final byte[] body;
    private final AtomicInteger bytesSent = new AtomicInteger();
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    private SlowClient(byte[] body) {
        this.body = body;
    }

    /**
     * Starts POSTing {@code json} to {@code path} on a thread of {@code threads}, {@code pause} after each byte of the
     * body and {@code beforeLastByte} more before the last one.
     */
    static SlowClient post(URI base, String path, String json, Duration pause, Duration beforeLastByte,
            ExecutorService threads) {
        SlowClient client = new SlowClient(json.getBytes(StandardCharsets.UTF_8));
        threads.execute(() -> {
            try {
                client.answer.complete(client.send(base, path, pause, beforeLastByte));
            } catch (IOException | RuntimeException failure) {
                client.answer.completeExceptionally(failure);
            }
        });
        return client;
    }

    /** Bytes of the body sent so far. */
    int bytesSent() {
        return bytesSent.get();
    }

    /** Whether the whole body is out. */
    boolean bodySent() {
        return bytesSent.get() == body.length;
    }

    /** The answer, once the body is sent and the application has answered. */
    CompletableFuture<Answer> answer() {
        return answer;
    }

    private Answer send(URI base, String path, Duration pause, Duration beforeLastByte) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\n"
                    + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "X-API-Key: " + GenesysStub.API_KEY + "\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < body.length; i++) {
                pause(i == body.length - 1 ? pause.plus(beforeLastByte) : pause);
                out.write(body[i]);
                out.flush();
                bytesSent.incrementAndGet();
            }
            return read(socket.getInputStream());
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending", interrupted);
        }
    }

    /** Reads an HTTP/1.1 answer up to the end of the connection; the body may come in chunks. */
    private static Answer read(InputStream in) throws IOException {
        String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        int headersEnd = text.indexOf("\r\n\r\n");
        if (headersEnd < 0) {
            throw new UncheckedIOException(new IOException("no complete answer: " + text));
        }
        String head = text.substring(0, headersEnd);
        String rest = text.substring(headersEnd + 4);
        int status = Integer.parseInt(head.substring(9, 12));
        boolean chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        byte[] body = (chunked ? unchunk(rest) : rest).getBytes(StandardCharsets.ISO_8859_1);
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    private static String unchunk(String chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString(StandardCharsets.ISO_8859_1);
            }
            body.writeBytes(chunked.substring(lineEnd + 2, lineEnd + 2 + size).getBytes(StandardCharsets.ISO_8859_1));
            at = lineEnd + 2 + size + 2;
        }
    }
}
