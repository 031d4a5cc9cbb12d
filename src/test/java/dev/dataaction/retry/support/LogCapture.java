package dev.dataaction.retry.support;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Collects everything the application logs, through a handler on the root logger: each record's message, its parameters
 * and the stack trace of its exception, so that a value is found whichever way it reached the log.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> entries = new ConcurrentLinkedQueue<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.ALL);
    }

    /** Starts capturing. */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.root.addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder entry = new StringBuilder().append(record.getLevel()).append(' ').append(record.getLoggerName())
                .append(": ").append(record.getMessage());
        if (record.getParameters() != null) {
            entry.append(" | ").append(Arrays.stream(record.getParameters()).map(Objects::toString)
                    .collect(Collectors.joining(" | ")));
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            entry.append('\n').append(trace);
        }
        entries.add(entry.toString());
    }

    /** Everything captured so far, one entry per record. */
    public String text() {
        return String.join("\n", entries);
    }

    public int size() {
        return entries.size();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
