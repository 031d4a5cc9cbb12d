package dev.dataaction.retry.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.dataaction.retry.genesys.ActionBreakers;
import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.observe.RetryMetrics.RejectionReason;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStatus;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * What the rest of the service tells about a retry's life, fanned out to the audit trail, the metrics and the webhook.
 * Every method returns at once: nothing here waits on I/O.
 */
@ApplicationScoped
public class RetryTelemetry {

    private final AuditLog audit;
    private final RetryMetrics metrics;
    private final WebhookNotifier webhook;
    private final TokenMonitor tokens;

    RetryTelemetry(AuditLog audit, RetryMetrics metrics, WebhookNotifier webhook, TokenMonitor tokens) {
        this.audit = audit;
        this.metrics = metrics;
        this.webhook = webhook;
        this.tokens = tokens;
    }

    public void accepted(RetryRecord retry, int payloadBytes) {
        metrics.accepted();
        Map<String, Object> fields = fieldsOf(retry.requestId(), retry.actionId(), retry.originalRunId());
        fields.put("payloadBytes", payloadBytes);
        fields.put("delayMs", Duration.between(retry.acceptedAt(), retry.nextAttemptAt()).toMillis());
        audit.write(AuditEvent.RETRY_ACCEPTED, fields);
    }

    /** A valid submission was refused (queue full, shutting down). */
    public void rejected(String actionId, String originalRunId, RejectionReason reason) {
        metrics.rejected(reason);
        Map<String, Object> fields = fieldsOf(null, actionId, originalRunId);
        fields.put("reason", reason.name());
        audit.write(AuditEvent.RETRY_REJECTED, fields);
    }

    /** A submission failed validation; only the names of the invalid fields are logged. */
    public void invalid(List<String> fields) {
        metrics.rejected(RejectionReason.INVALID);
        Map<String, Object> logged = new LinkedHashMap<>();
        logged.put("invalidFields", String.join(",", fields));
        audit.write(AuditEvent.VALIDATION_ERROR, logged);
    }

    /** An attempt ended; logged before whatever the pipeline decides next. */
    public void attempted(ActionRequest request, Attempt attempt) {
        metrics.attempted(attempt.outcome(), attempt.durationMs());
        Map<String, Object> fields = fieldsOf(request);
        fields.put("attempt", attempt.number());
        fields.put("httpStatus", attempt.httpStatus());
        fields.put("outcome", attempt.outcome().name());
        fields.put("durationMs", attempt.durationMs());
        audit.write(AuditEvent.RETRY_ATTEMPT, fields);
        if (attempt.outcome() == AttemptOutcome.AUTH_REJECTED) {
            audit.write(AuditEvent.AUTH_FAILURE, fields);
        }
    }

    /** Nothing reached Genesys for the retry: its action's breaker is open, or no access token could be had. */
    public void held(Execution.Held held) {
        if (held.cause() == Execution.HeldBy.TOKEN_UNAVAILABLE) {
            tokens.tokenUnavailable();
        }
    }

    /** After a retryable answer the retry waits {@code delay} before its next attempt. */
    public void backingOff(ActionRequest request, Attempt attempt, Duration delay) {
        Map<String, Object> fields = fieldsOf(request);
        fields.put("attempt", attempt.number());
        fields.put("httpStatus", attempt.httpStatus());
        fields.put("delayMs", delay.toMillis());
        audit.write(attempt.outcome() == AttemptOutcome.RATE_LIMITED ? AuditEvent.RATE_LIMIT : AuditEvent.SERVER_ERROR,
                fields);
    }

    /** The retry reached a terminal status, already recorded. */
    public void finished(RetryRecord retry) {
        long latencyMs = Duration.between(retry.acceptedAt(), retry.completedAt()).toMillis();
        int attempts = retry.attempts().isEmpty() ? 0 : retry.attempts().getLast().number();
        metrics.completed(retry.status(), Duration.ofMillis(latencyMs));
        Map<String, Object> fields = fieldsOf(retry.requestId(), retry.actionId(), retry.originalRunId());
        fields.put("attempt", attempts);
        fields.put("httpStatus", retry.attempts().isEmpty() ? null : retry.attempts().getLast().httpStatus());
        fields.put("code", retry.lastError() == null || retry.status() == RetryStatus.SUCCEEDED ? null
                : retry.lastError().code());
        fields.put("latencyMs", latencyMs);
        AuditEvent event = switch (retry.status()) {
            case SUCCEEDED -> AuditEvent.RETRY_SUCCESS;
            case FAILED -> AuditEvent.RETRY_FAILED;
            case EXHAUSTED -> AuditEvent.MAX_ATTEMPTS_REACHED;
            default -> AuditEvent.RETRY_CANCELLED;
        };
        audit.write(event, fields);
        String eventType = switch (retry.status()) {
            case SUCCEEDED -> "retry_success";
            case FAILED -> "retry_failed";
            case EXHAUSTED -> "retry_exhausted";
            default -> null;
        };
        if (eventType != null) {
            webhook.send(new WebhookEvent(eventType, Instant.now(), WebhookEvent.SOURCE, new WebhookEvent.Data(
                    retry.requestId(), retry.actionId(), retry.originalRunId(), attempts, latencyMs,
                    retry.lastError(), retry.runId())));
        }
    }

    /** The service stopped before the retry finished. */
    public void abandoned(RetryRecord retry) {
        Map<String, Object> fields = fieldsOf(retry.requestId(), retry.actionId(), retry.originalRunId());
        fields.put("status", retry.status().name());
        fields.put("attempt", retry.attempts().isEmpty() ? 0 : retry.attempts().getLast().number());
        audit.write(AuditEvent.RETRY_ABANDONED, fields);
    }

    void circuitChanged(@Observes ActionBreakers.StateChanged change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("actionId", change.actionId());
        audit.write(change.state() == CircuitBreakerState.CLOSED ? AuditEvent.CIRCUIT_CLOSED : AuditEvent.CIRCUIT_OPEN,
                fields);
    }

    private static Map<String, Object> fieldsOf(ActionRequest request) {
        return fieldsOf(request.requestId(), request.actionId(), request.originalRunId());
    }

    private static Map<String, Object> fieldsOf(Object requestId, String actionId, String originalRunId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestId", requestId);
        fields.put("actionId", actionId);
        fields.put("originalRunId", originalRunId);
        return fields;
    }
}
