package dev.dataaction.retry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

/** Only the pool's known false alarm is dropped from the log; every other uncaught exception stays. */
class KnownPoolRaceFilterTest {

    private final KnownPoolRaceFilter filter = new KnownPoolRaceFilter();

    @Test
    void thePoolsSecondFailureOfAnAcquisitionIsDropped() {
        assertThat(filter.isLoggable(uncaught(raisedAt("io.vertx.sqlclient.impl.pool.SqlConnectionPool",
                new IllegalStateException("Result is already complete"))))).isFalse();
    }

    @Test
    void theSameExceptionRaisedElsewhereIsKept() {
        assertThat(filter.isLoggable(uncaught(raisedAt("dev.dataaction.retry.pipeline.RetryPipeline",
                new IllegalStateException("Result is already complete"))))).isTrue();
    }

    @Test
    void anotherFailureOfThePoolIsKept() {
        assertThat(filter.isLoggable(uncaught(raisedAt("io.vertx.sqlclient.impl.pool.SqlConnectionPool",
                new IllegalStateException("Pool closed"))))).isTrue();
        assertThat(filter.isLoggable(uncaught(null))).isTrue();
    }

    private static <T extends Throwable> T raisedAt(String className, T thrown) {
        thrown.setStackTrace(new StackTraceElement[] { new StackTraceElement("io.vertx.core.Promise", "fail", null, 90),
                new StackTraceElement(className, "lambda$execute$3", null, 216) });
        return thrown;
    }

    private static LogRecord uncaught(Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, "Uncaught exception received by Vert.x");
        record.setThrown(thrown);
        return record;
    }
}
