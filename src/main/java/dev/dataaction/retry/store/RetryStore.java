package dev.dataaction.retry.store;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where retries are kept, and the guardian of idempotency on {@code (actionId, originalRunId)}. */
public interface RetryStore {

    /**
     * The retry that currently holds the idempotency key: one that has not finished, or one that succeeded. A key whose
     * last retry failed, was exhausted or was cancelled is free again (a new submission redrives it).
     */
    Optional<Retry> holderOf(String actionId, String originalRunId);

    /**
     * Stores a new retry unless another one holds its idempotency key.
     *
     * @return the retry that holds the key afterwards: {@code candidate} itself when it was stored
     */
    Retry add(Retry candidate);

    Optional<Retry> find(UUID requestId);

    List<RetryRecord> list(RetryQuery query);

    /** The retries that have not finished. */
    List<Retry> unfinished();

    /** Tells the store that a retry reached a terminal status, so that its retention clock starts. */
    void finished(Retry retry);
}
