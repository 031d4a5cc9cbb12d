package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a caller sees of a retry: an immutable snapshot. The request payload is not part of it.
 *
 * @param flatten whether Genesys is asked for the output flattened as Architect reads it ({@code flatten=true})
 * @param nextAttemptAt when the next attempt is due, while the retry is PENDING
 * @param result the action's output, once it succeeded
 * @param runId the run id Genesys assigned, in {@code runs} mode
 * @param completedAt when the retry reached a terminal status
 */
@RegisterForReflection // also a Response entity (POST /v1/retries, redrive), which Quarkus cannot see
public record RetryRecord(
        UUID requestId,
        String actionId,
        String originalRunId,
        boolean flatten,
        RetryStatus status,
        List<Attempt> attempts,
        Instant nextAttemptAt,
        JsonNode result,
        String runId,
        LastError lastError,
        Instant acceptedAt,
        Instant completedAt) {
}
