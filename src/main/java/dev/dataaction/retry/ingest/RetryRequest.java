package dev.dataaction.retry.ingest;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A failed Data Action execution to retry, as submitted to {@code POST /v1/retries}.
 *
 * @param actionId the Genesys Data Action to execute again
 * @param originalRunId the caller's id of the execution that failed; with {@code actionId} it makes the idempotency key
 * @param requestPayload the action's input contract, sent as the body of the execution
 * @param flatten optional: {@code true} asks Genesys for the output flattened the way Architect reads it
 */
public record RetryRequest(
        @NotBlank(message = "is required") @Size(max = 128, message = "must be at most 128 characters") @Pattern(regexp = RetryRequest.ACTION_ID, message = "may contain only letters, digits, '_' and '-'") String actionId,
        @NotBlank(message = "is required") @Size(max = 256, message = "must be at most 256 characters") @Pattern(regexp = "^[^\\p{Cc}\\p{Zl}\\p{Zp}]*$", message = "may not contain control characters or line breaks") String originalRunId,
        @NotNull(message = "is required") ObjectNode requestPayload,
        Boolean flatten) {

    /** What an action id may hold: Genesys' own ids, such as {@code custom_-_<uuid>}, are letters, digits, '_' and '-'. */
    static final String ACTION_ID = "^[a-zA-Z0-9_-]+$";
}
