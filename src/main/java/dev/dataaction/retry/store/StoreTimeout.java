package dev.dataaction.retry.store;

import java.time.Duration;

/**
 * The database did not answer a statement within {@code orchestrator.postgres.query-timeout}. Unlike a refused connection,
 * this leaves a write's outcome unknown: the statement may still be applied once the database answers.
 */
public final class StoreTimeout extends RuntimeException {

    public StoreTimeout(Duration timeout) {
        super("the database did not answer within " + timeout.toMillis() + " ms");
    }
}
