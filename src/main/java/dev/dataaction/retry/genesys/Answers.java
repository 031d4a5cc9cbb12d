package dev.dataaction.retry.genesys;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.dataaction.retry.config.GenesysConfig;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;

/**
 * Reads what Genesys answered an attempt, or why no answer came, into an {@link Execution}: the outcome, whether a later
 * attempt may succeed, the Retry-After asked and the error body Genesys sends.
 */
final class Answers {

    private static final int MAX_MESSAGE_LENGTH = 500;
    private static final Logger LOG = Logger.getLogger(GenesysGateway.class);

    private final ObjectMapper json;
    private final GenesysConfig.InvokerMode mode;

    Answers(ObjectMapper json, GenesysConfig.InvokerMode mode) {
        this.json = json;
        this.mode = mode;
    }

    /** An answer the breaker let through as not retryable: a success, or an error a later attempt would not cure. */
    Execution notRetryable(Response response) {
        int status = response.getStatus();
        String body = response.hasEntity() ? response.readEntity(String.class) : null;
        if (status >= 200 && status < 300) {
            JsonNode result = parse(body);
            String runId = mode == GenesysConfig.InvokerMode.RUNS && result != null ? result.path("id").asText(null) : null;
            return new Execution.Succeeded(status, result, runId);
        }
        return new Execution.Refused(status, outcomeOf(status), false, Optional.empty(), errorOf(status, body));
    }

    /** A retryable answer, or none, that the breaker counted as a failure. */
    Execution retryable(GenesysGateway.RetryableAnswer retryable) {
        Response response = retryable.response;
        if (response == null) {
            return noAnswer(retryable.getCause());
        }
        int status = response.getStatus();
        String body = response.hasEntity() ? response.readEntity(String.class) : null;
        return new Execution.Refused(status, outcomeOf(status), true,
                RetryAfter.parse(response.getHeaderString("Retry-After"), Instant.now()), errorOf(status, body));
    }

    private static AttemptOutcome outcomeOf(int status) {
        return switch (status) {
            case 401, 403 -> AttemptOutcome.AUTH_REJECTED;
            case 408 -> AttemptOutcome.TIMEOUT;
            case 429 -> AttemptOutcome.RATE_LIMITED;
            default -> status >= 500 ? AttemptOutcome.SERVER_ERROR : AttemptOutcome.CLIENT_ERROR;
        };
    }

    /** Reads Genesys' standard error body; whatever else came is summarised by its status alone. */
    private LastError errorOf(int status, String body) {
        JsonNode error = parse(body);
        if (error == null || !error.isObject()) {
            return new LastError(status, null, "HTTP " + status, null);
        }
        String message = error.path("message").asText("HTTP " + status);
        if (message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH);
        }
        return new LastError(status, error.path("code").asText(null), message, error.path("contextId").asText(null));
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(body);
        }
    }

    /** A timeout or a broken connection: retryable, and counted by the breaker. */
    private static Execution noAnswer(Throwable failure) {
        boolean timeout = causes(failure, cause -> cause.getClass().getSimpleName().contains("Timeout"));
        AttemptOutcome outcome = timeout ? AttemptOutcome.TIMEOUT : AttemptOutcome.NETWORK_ERROR;
        String message = timeout ? "no answer within the timeout"
                : "connection failed: " + rootOf(failure).getClass().getSimpleName();
        return new Execution.Refused(null, outcome, true, Optional.empty(),
                new LastError(null, timeout ? "timeout" : "network.error", message, null));
    }

    /** A failure no classification foresaw, such as a bug: it ends the retry visibly instead of looping. */
    static Execution internalError(Throwable failure) {
        LOG.errorf(failure, "Unexpected failure while executing an action");
        return new Execution.Refused(null, AttemptOutcome.CLIENT_ERROR, false, Optional.empty(),
                new LastError(null, "internal.error", "the attempt failed on an internal error", null));
    }

    private static boolean causes(Throwable failure, Predicate<Throwable> test) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (test.test(cause)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootOf(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
