package dev.dataaction.retry.store;

import java.util.Set;

import io.vertx.pgclient.PgException;

/**
 * Tells a failure of the database that can pass from one that will happen again however often the same write is tried.
 * Only the first is an outage: the write is tried again once the database answers. The second (a value the database
 * refuses, a broken constraint: SQLSTATE classes 22, 23 and the like) is not, and retrying it would loop for ever.
 */
public final class StoreFailures {

    /**
     * SQLSTATE classes of failures that pass: connection exceptions (08), transaction rollbacks such as serialization
     * failures and deadlocks (40), insufficient resources (53), operator intervention such as a shutdown or a cancelled
     * statement (57) and system errors (58).
     */
    private static final Set<String> PASSING_CLASSES = Set.of("08", "40", "53", "57", "58");
    /** A lock that could not be taken now may be taken later. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private StoreFailures() {
    }

    /**
     * Whether trying the same operation again later may succeed: the database did not answer (no connection, a closed
     * one, a timeout), or it answered with a failure of a passing kind.
     */
    public static boolean isTransient(Throwable failure) {
        if (!(failure instanceof PgException refused)) {
            return true;
        }
        String state = refused.getSqlState();
        return state == null || state.length() < 2 || PASSING_CLASSES.contains(state.substring(0, 2))
                || LOCK_NOT_AVAILABLE.equals(state);
    }

    /** The SQLSTATE of a failure the database answered with, for the log; never the values it refused. */
    public static String sqlStateOf(Throwable failure) {
        return failure instanceof PgException refused && refused.getSqlState() != null ? refused.getSqlState() : "none";
    }
}
