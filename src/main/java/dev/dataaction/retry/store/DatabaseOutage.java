package dev.dataaction.retry.store;

import java.time.Duration;
import java.time.Instant;

import org.jboss.logging.Logger;

/**
 * Whether the database answered the last statement. An outage is told in two lines, when it starts and when it ends:
 * every submission, attempt and look for due retries in between fails the same way, and is counted in the metrics
 * rather than logged.
 */
final class DatabaseOutage {

    private static final Logger LOG = Logger.getLogger(PostgresRetryStore.class);

    private volatile boolean reachable = true;
    private volatile Instant unreachableSince = Instant.EPOCH;

    boolean reachable() {
        return reachable;
    }

    void answered() {
        if (!reachable) {
            reachable = true;
            LOG.infof("The database answers again, after %d ms; retries let go meanwhile are taken up again",
                    Duration.between(unreachableSince, Instant.now()).toMillis());
        }
    }

    /** A statement failed: an outage when the failure is transient, otherwise an answer (a refusal). */
    void failed(Throwable failure) {
        if (!StoreFailures.isTransient(failure)) {
            answered();
            return;
        }
        if (reachable) {
            unreachableSince = Instant.now();
            reachable = false;
            LOG.warnf("The database does not answer (%s): submissions get 503, readiness is DOWN, and retries whose "
                    + "state cannot be written are let go until it answers again", failure.getMessage());
        }
    }
}
