package dev.dataaction.retry.genesys;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;

/** What came of one try to execute an action through Genesys. */
public sealed interface Execution {

    /** Genesys executed the action. */
    record Succeeded(int httpStatus, JsonNode result, String runId) implements Execution {
    }

    /**
     * Genesys answered with an error, or no answer came.
     *
     * @param httpStatus {@code null} when no answer came (timeout, network error)
     * @param retryable whether a later attempt may succeed
     * @param retryAfter the wait Genesys asked for, when it sent a usable Retry-After
     */
    record Refused(Integer httpStatus, AttemptOutcome outcome, boolean retryable, Optional<Duration> retryAfter,
            LastError error) implements Execution {
    }

    /**
     * Nothing was sent to Genesys: the action's circuit breaker is open, or no access token could be obtained. It does
     * not use up an attempt.
     *
     * @param notBefore the earliest moment worth trying again, when known
     */
    record Held(HeldBy cause, Optional<Instant> notBefore, LastError reason) implements Execution {
    }

    /** Why nothing was sent. */
    enum HeldBy {
        CIRCUIT_OPEN,
        TOKEN_UNAVAILABLE
    }
}
