package dev.dataaction.retry.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A failed execution to retry, as a caller submitted it or as a redrive starts it again.
 *
 * @param originalRunId the caller's id of the execution that failed; with {@code actionId} the idempotency key
 * @param payload the action's input; personal data, never logged
 * @param flatten whether Genesys is asked for the output flattened as Architect reads it
 */
public record Submission(String actionId, String originalRunId, ObjectNode payload, boolean flatten) {
}
