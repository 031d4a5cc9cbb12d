package dev.dataaction.retry.observe;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Drops one known false alarm of the reactive SQL client's pool: when a connection attempt fails (the database is down),
 * the pool's acquisition timer still fires later and fails the already failed request again, which Vert.x reports as an
 * uncaught {@code IllegalStateException: Result is already complete} with a stack trace, once per failed acquisition.
 * During an outage that is hundreds of ERROR lines that say nothing: the store logs the outage itself, once when it
 * starts and once when it ends. Every other uncaught exception is kept.
 */
@LoggingFilter(name = "known-pool-race")
public final class KnownPoolRaceFilter implements Filter {

    private static final String POOL = "io.vertx.sqlclient.impl.pool.SqlConnectionPool";

    @Override
    public boolean isLoggable(LogRecord record) {
        return !isPoolRace(record.getThrown());
    }

    static boolean isPoolRace(Throwable thrown) {
        if (!(thrown instanceof IllegalStateException) || !"Result is already complete".equals(thrown.getMessage())) {
            return false;
        }
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().equals(POOL)) {
                return true;
            }
        }
        return false;
    }
}
