package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * Where retries are kept, and the guardian of idempotency on {@code (actionId, originalRunId)}. Every write completes
 * before the pipeline acts on it, so that a durable store holds each retry's state as it was last acted upon.
 */
public interface RetryStore {

    /**
     * What this store adds when it is shared by replicas: then retries outlive this process, the bound on accepted retries
     * is the store's backlog, and this instance holds only the retries it is driving. Empty for a store of this instance
     * alone.
     */
    Optional<WorkSharing> sharing();

    /** Whether the store answered the last time it was asked; always true for a store in memory. */
    boolean reachable();

    /**
     * The retry that currently holds the idempotency key: one that has not finished, or one that succeeded. A key whose
     * last retry failed, was exhausted or was cancelled is free again (a new submission redrives it).
     */
    Uni<Optional<RetryRecord>> holderOf(String actionId, String originalRunId);

    /**
     * Stores a new retry unless another one holds its key or the backlog is full.
     *
     * @param drivenHere whether this instance drives the retry from now on; otherwise any replica may claim it
     */
    Uni<Addition> add(RetryState candidate, boolean drivenHere);

    Uni<Optional<RetryRecord>> find(UUID requestId);

    Uni<List<RetryRecord>> list(RetryQuery query);

    /** How many retries the store holds in each status; statuses it holds none of are left out. */
    Uni<Map<RetryStatus, Long>> countByStatus();

    /**
     * Dead letters (FAILED, EXHAUSTED) and unfinished retries with an error, grouped by action and
     * {@code lastError.code}, the group last seen most recently first.
     */
    Uni<List<FailureGroup>> failureGroups(int limit);

    /** The attempts that started at or after {@code since}, counted per minute and outcome, oldest minute first. */
    Uni<List<AttemptCount>> attemptsPerMinute(Instant since);

    /** A retry and its payload, for a redrive. */
    Uni<Optional<StoredSubmission>> submission(UUID requestId);

    /**
     * Finished retries of the query's statuses whose key no other retry holds, newest first and one per key: what a bulk
     * redrive starts again.
     */
    Uni<List<StoredSubmission>> redrivable(RetryQuery query);

    /**
     * Writes the state of a retry this instance drives, before the pipeline acts on it. A stored retry that has finished
     * meanwhile (it was cancelled) keeps its status; the attempt, if one ended, is still put on its record.
     *
     * @param keep whether this instance keeps driving it; otherwise it is handed back for any replica to claim when due
     * @return false when the stored retry is no longer this instance's to drive: it was cancelled through another replica,
     *         or this instance's claim on it ran out and another replica took it over
     */
    Uni<Boolean> save(RetryState retry, boolean keep);

    /** Cancels an unfinished retry, wherever it is driven. */
    Uni<Cancellation> cancel(UUID requestId, Instant at);

    /**
     * Forgets the retries that finished before {@code cutoff}.
     *
     * @return how many were forgotten
     */
    Uni<Long> purge(Instant cutoff);
}
