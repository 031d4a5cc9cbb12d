package dev.dataaction.retry.observe;

import java.time.Instant;
import java.util.UUID;

import dev.dataaction.retry.store.LastError;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the webhook receives when a retry ends: {@code retry_success}, {@code retry_failed} or {@code retry_exhausted}.
 * {@code lastError} is Genesys' status, code, message and contextId only.
 */
@RegisterForReflection // written with Jackson by WebhookNotifier, out of Quarkus' sight
public record WebhookEvent(String eventType, Instant timestamp, String source, Data data) {

    public static final String SOURCE = "genesys-retry-orchestrator";

    /** The retry the event is about; the request payload and the action's result are not part of it. */
    @RegisterForReflection // part of WebhookEvent
    public record Data(UUID requestId, String actionId, String originalRunId, int attempts, long latencyMs,
            LastError lastError, String runId) {
    }
}
