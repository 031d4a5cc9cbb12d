package dev.dataaction.retry.pipeline;

import java.time.Duration;

import dev.dataaction.retry.store.RetryRecord;

/** The answer to a submitted retry. */
public sealed interface Admission {

    /** A new retry was stored and scheduled. */
    record Accepted(RetryRecord retry) implements Admission {
    }

    /** A retry with the same {@code (actionId, originalRunId)} is unfinished or succeeded; nothing new was started. */
    record Duplicate(RetryRecord retry) implements Admission {
    }

    /** The queue (or, with a store that shares work, the cluster's backlog) is full; nothing was stored. */
    record QueueFull(int capacity, Duration retryAfter) implements Admission {
    }

    /**
     * The store could not be reached, and nothing was stored; or it did not answer in time ({@code outcomeUnknown}), and
     * the retry may yet be stored: submitted again, it is then returned as a duplicate.
     */
    record StoreUnavailable(Duration retryAfter, boolean outcomeUnknown) implements Admission {
    }

    /** The service is shutting down; nothing was stored. */
    record ShuttingDown(Duration retryAfter) implements Admission {
    }
}
