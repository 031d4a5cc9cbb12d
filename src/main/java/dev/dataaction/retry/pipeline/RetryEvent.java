package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.util.List;

import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.RetryRecord;

/**
 * What happens to retries, fired as synchronous CDI events for the audit trail, the metrics and the webhooks to observe:
 * the pipeline knows nothing of who listens.
 */
public sealed interface RetryEvent {

    /** A retry was stored; its first attempt is due at its {@code nextAttemptAt}. */
    record Accepted(RetryRecord retry, int payloadBytes) implements RetryEvent {
    }

    /** A valid submission was refused. */
    record Rejected(String actionId, String originalRunId, RejectionReason reason) implements RetryEvent {
    }

    /** A submission failed validation; only the names of the invalid fields are told. */
    record Invalid(List<String> fields) implements RetryEvent {
    }

    /** An attempt ended; told before whatever the retry does next. */
    record Attempted(ActionRequest request, Attempt attempt) implements RetryEvent {
    }

    /** After a retryable answer the retry waits {@code delay} before its next attempt. */
    record BackingOff(ActionRequest request, Attempt attempt, Duration delay) implements RetryEvent {
    }

    /** The retry reached a terminal status, already written. */
    record Finished(RetryRecord retry) implements RetryEvent {
    }

    /**
     * An operator ran the retry's action through Genesys' test endpoint; the retry itself did not change.
     *
     * @param by the label of the API key that asked, never the key
     * @param outcome what Genesys answered, or why no answer came
     */
    record Tested(ActionRequest request, String by, Execution outcome, long durationMs) implements RetryEvent {
    }

    /** The service stopped before the retry finished, and nothing can take it over. */
    record Abandoned(RetryRecord retry) implements RetryEvent {
    }
}
