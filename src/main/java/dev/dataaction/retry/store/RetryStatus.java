package dev.dataaction.retry.store;

/** Where a retry stands. */
public enum RetryStatus {
    /** Waiting for its next attempt. */
    PENDING,
    /** An attempt is on the wire. */
    IN_FLIGHT,
    /** Genesys executed the action. */
    SUCCEEDED,
    /** Genesys gave an answer that no retry can change. */
    FAILED,
    /** Every attempt, or the time allowed, was used up. */
    EXHAUSTED,
    /** Cancelled by a caller. */
    CANCELLED;

    /** Whether nothing more will happen to the retry. */
    public boolean isFinished() {
        return this != PENDING && this != IN_FLIGHT;
    }

    /** Whether a new submission with the same idempotency key starts a new retry (a redrive). */
    public boolean allowsRedrive() {
        return this == FAILED || this == EXHAUSTED || this == CANCELLED;
    }
}
