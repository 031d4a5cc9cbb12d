package dev.dataaction.retry.support;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Records what the application logs on one logger and its children, for as long as it is open. The MDC of each record is
 * copied when the record is published, on the thread that logged it.
 */
public final class LogCapture implements AutoCloseable {

    /** The audit trail's logger. */
    public static final String AUDIT = "dev.dataaction.retry.audit";
    /** The root logger: everything the application logs. */
    public static final String ROOT = "";

    /** One log record as it was published. */
    public record Captured(String logger, Level level, String message, Map<String, String> mdc, String thrown) {

        /** The audit event's name, or {@code null} for a record that is not an audit event. */
        public String event() {
            return mdc.get("event");
        }

        public String field(String name) {
            return mdc.get(name);
        }

        /** The message, the MDC and the stack trace as one text, for checking what a record reveals. */
        public String everything() {
            return message + " " + mdc + " " + Objects.toString(thrown, "");
        }
    }

    private final Logger logger;
    private final List<Captured> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            Map<String, String> mdc = record instanceof ExtLogRecord ext ? Map.copyOf(ext.getMdcCopy()) : Map.of();
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatter.formatMessage(record);
            records.add(new Captured(record.getLoggerName(), record.getLevel(), message, mdc, stackTraceOf(record)));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
        handler.setLevel(Level.ALL);
    }

    /** Starts recording what is logged on {@code loggerName} and below it. */
    public static LogCapture of(String loggerName) {
        LogCapture capture = new LogCapture(loggerName);
        capture.open();
        return capture;
    }

    /** A capture of {@code loggerName} that records nothing until it is {@linkplain #open() opened}. */
    static LogCapture unopened(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** Starts recording, from an empty record. */
    void open() {
        records.clear();
        logger.addHandler(handler);
    }

    public List<Captured> records() {
        return List.copyOf(records);
    }

    /** Everything captured so far, one record a line, for checking what the log reveals. */
    public String text() {
        return String.join("\n", records.stream().map(Captured::everything).toList());
    }

    /** The audit events about one retry, in the order they were written. */
    public List<Captured> eventsOf(Object requestId) {
        String id = requestId.toString();
        return records.stream().filter(record -> id.equals(record.field("requestId"))).toList();
    }

    /** The audit events of one kind about one retry, in the order they were written. */
    public List<Captured> eventsOf(Object requestId, String event) {
        return eventsOf(requestId).stream().filter(record -> event.equals(record.event())).toList();
    }

    /** The audit events of one kind, in the order they were written. */
    public List<Captured> events(String event) {
        return records.stream().filter(record -> event.equals(record.event())).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }

    private static String stackTraceOf(LogRecord record) {
        if (record.getThrown() == null) {
            return null;
        }
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
