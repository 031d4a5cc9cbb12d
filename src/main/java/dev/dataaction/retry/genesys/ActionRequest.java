package dev.dataaction.retry.genesys;

import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One attempt to execute an action: what is sent to Genesys, and what names it in the audit trail.
 *
 * @param requestId the retry's id, sent as the correlation id that an operator searches for in Genesys
 * @param payload the action's input; personal data, never logged
 * @param flatten whether Genesys is asked for the output flattened as Architect reads it ({@code ?flatten=true})
 * @param attempt the attempt's number, sent with a run in {@code runs} mode
 */
public record ActionRequest(UUID requestId, String actionId, String originalRunId, ObjectNode payload, boolean flatten,
        int attempt) {
}
