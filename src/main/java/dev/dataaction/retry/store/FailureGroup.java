package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.Set;

/**
 * Retries that stopped, or keep failing, for the same reason: one action and one {@code lastError.code}.
 *
 * @param dead the retries that ended FAILED or EXHAUSTED: the dead letters
 * @param failing the unfinished retries whose last attempt failed this way
 * @param firstSeen when the oldest of them was accepted
 * @param lastSeen when the newest of them was last attempted (or accepted, when it never was)
 * @param sampleMessage the newest retry's {@code lastError.message}
 */
public record FailureGroup(String actionId, String code, long dead, long failing, Instant firstSeen, Instant lastSeen,
        String sampleMessage) {

    /** The statuses of a dead letter. */
    public static final Set<RetryStatus> DEAD = Set.of(RetryStatus.FAILED, RetryStatus.EXHAUSTED);
    /** The statuses of a retry that may still succeed. */
    public static final Set<RetryStatus> UNFINISHED = Set.of(RetryStatus.PENDING,
            RetryStatus.IN_FLIGHT);
}
