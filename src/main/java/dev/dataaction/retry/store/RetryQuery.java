package dev.dataaction.retry.store;

import java.util.Optional;

/** A filter over retries, newest first. */
public record RetryQuery(Optional<RetryStatus> status, Optional<String> actionId, int limit) {
}
