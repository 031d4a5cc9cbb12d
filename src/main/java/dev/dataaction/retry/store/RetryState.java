package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * All a store keeps of one retry: what callers see of it, and what an instance needs to drive it from where it was left.
 *
 * @param payload the action's input as the caller submitted it; personal data, never logged
 * @param deadline the instant after which no attempt starts ({@code orchestrator.retry.max-duration} after acceptance)
 * @param attemptsUsed attempts that counted against {@code max-attempts} (a repeat does not count)
 * @param attemptInFlight the number of the attempt on the wire, while IN_FLIGHT; 0 otherwise
 * @param inFlightSince when the attempt on the wire started, while IN_FLIGHT; null otherwise
 */
public record RetryState(RetryRecord record, ObjectNode payload, Instant deadline, int attemptsUsed,
        int attemptInFlight, Instant inFlightSince) {

    public UUID requestId() {
        return record.requestId();
    }

    public RetryStatus status() {
        return record.status();
    }
}
