package dev.dataaction.retry.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.dataaction.retry.genesys.ActionBreakers;
import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.pipeline.RejectionReason;
import dev.dataaction.retry.pipeline.RetryEvent;
import dev.dataaction.retry.pipeline.TrafficChange;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStatus;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Observes the events of retries' lives ({@link RetryEvent}) and of the breakers, and fans them out to the audit trail,
 * the metrics and the webhook. Every observer returns at once: nothing here waits on I/O.
 */
@ApplicationScoped
public class RetryTelemetry {

    private final AuditLog audit;
    private final RetryMetrics metrics;
    private final WebhookNotifier webhook;

    RetryTelemetry(AuditLog audit, RetryMetrics metrics, WebhookNotifier webhook) {
        this.audit = audit;
        this.metrics = metrics;
        this.webhook = webhook;
    }

    void accepted(@Observes RetryEvent.Accepted accepted) {
        RetryRecord retry = accepted.retry();
        metrics.accepted();
        Map<String, Object> fields = fieldsOf(retry.requestId(), retry.actionId(), retry.originalRunId());
        fields.put("payloadBytes", accepted.payloadBytes());
        fields.put("delayMs", Duration.between(retry.acceptedAt(), retry.nextAttemptAt()).toMillis());
        audit.write(AuditEvent.RETRY_ACCEPTED, fields);
    }

    void rejected(@Observes RetryEvent.Rejected rejected) {
        metrics.rejected(rejected.reason());
        Map<String, Object> fields = fieldsOf(null, rejected.actionId(), rejected.originalRunId());
        fields.put("reason", rejected.reason().name());
        audit.write(AuditEvent.RETRY_REJECTED, fields);
    }

    void invalid(@Observes RetryEvent.Invalid invalid) {
        metrics.rejected(RejectionReason.INVALID);
        Map<String, Object> logged = new LinkedHashMap<>();
        logged.put("invalidFields", String.join(",", invalid.fields()));
        audit.write(AuditEvent.VALIDATION_ERROR, logged);
    }

    void attempted(@Observes RetryEvent.Attempted attempted) {
        Attempt attempt = attempted.attempt();
        metrics.attempted(attempt.outcome(), attempt.durationMs());
        Map<String, Object> fields = fieldsOf(attempted.request());
        fields.put("attempt", attempt.number());
        fields.put("httpStatus", attempt.httpStatus());
        fields.put("outcome", attempt.outcome().name());
        fields.put("durationMs", attempt.durationMs());
        audit.write(AuditEvent.RETRY_ATTEMPT, fields);
        if (attempt.outcome() == AttemptOutcome.AUTH_REJECTED) {
            audit.write(AuditEvent.AUTH_FAILURE, fields);
        }
    }

    void backingOff(@Observes RetryEvent.BackingOff backingOff) {
        Attempt attempt = backingOff.attempt();
        Map<String, Object> fields = fieldsOf(backingOff.request());
        fields.put("attempt", attempt.number());
        fields.put("httpStatus", attempt.httpStatus());
        fields.put("delayMs", backingOff.delay().toMillis());
        audit.write(attempt.outcome() == AttemptOutcome.RATE_LIMITED ? AuditEvent.RATE_LIMIT : AuditEvent.SERVER_ERROR,
                fields);
    }

    void finished(@Observes RetryEvent.Finished finished) {
        RetryRecord retry = finished.retry();
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

    void abandoned(@Observes RetryEvent.Abandoned abandoned) {
        RetryRecord retry = abandoned.retry();
        Map<String, Object> fields = fieldsOf(retry.requestId(), retry.actionId(), retry.originalRunId());
        fields.put("status", retry.status().name());
        fields.put("attempt", retry.attempts().isEmpty() ? 0 : retry.attempts().getLast().number());
        audit.write(AuditEvent.RETRY_ABANDONED, fields);
    }

    void tested(@Observes RetryEvent.Tested tested) {
        Map<String, Object> fields = fieldsOf(tested.request());
        fields.put("by", tested.by());
        switch (tested.outcome()) {
            case Execution.Succeeded answer -> {
                fields.put("httpStatus", answer.httpStatus());
                fields.put("success", answer.result() != null && answer.result().path("success").asBoolean(false));
            }
            case Execution.Refused refused -> {
                fields.put("httpStatus", refused.httpStatus());
                fields.put("outcome", refused.outcome().name());
                fields.put("errorCode", refused.error().code());
            }
            case Execution.Held held -> fields.put("errorCode", held.reason().code());
        }
        fields.put("durationMs", tested.durationMs());
        audit.write(AuditEvent.RETRY_TESTED, fields);
    }

    void circuitChanged(@Observes ActionBreakers.StateChanged change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("actionId", change.actionId());
        audit.write(change.state() == CircuitBreakerState.CLOSED ? AuditEvent.CIRCUIT_CLOSED : AuditEvent.CIRCUIT_OPEN,
                fields);
    }

    void trafficChanged(@Observes TrafficChange change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("actionId", change.actionId());
        fields.put("by", change.by());
        fields.put("reason", change.reason());
        if (change.limits() != null) {
            fields.put("maxConcurrent", String.valueOf(change.limits().maxConcurrent()));
            fields.put("maxPerSecond", String.valueOf(change.limits().maxPerSecond()));
        }
        audit.write(switch (change.kind()) {
            case PAUSED -> AuditEvent.ACTION_PAUSED;
            case RESUMED -> AuditEvent.ACTION_RESUMED;
            case LIMITS_CHANGED -> AuditEvent.LIMITS_CHANGED;
        }, fields);
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
