package dev.dataaction.retry.store;

import java.time.Instant;

/** How many attempts started within one minute (its first instant) and ended with one outcome. */
public record AttemptCount(Instant minute, AttemptOutcome outcome, long count) {
}
