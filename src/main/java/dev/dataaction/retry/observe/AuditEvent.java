package dev.dataaction.retry.observe;

/** The lifecycle steps written to the audit trail, one log event each, named in the event's {@code event} field. */
public enum AuditEvent {
    /** A retry was accepted and its first attempt scheduled. */
    RETRY_ACCEPTED,
    /** A valid retry was refused: the queue is full or the service is shutting down. */
    RETRY_REJECTED,
    /** A request failed validation; the event names the invalid fields, never their content. */
    VALIDATION_ERROR,
    /** An attempt was answered (or ended without an answer). */
    RETRY_ATTEMPT,
    /** Genesys answered 429; the event says how long the retry now waits. */
    RATE_LIMIT,
    /** Genesys answered 5xx or 408, or no answer came; the event says how long the retry now waits. */
    SERVER_ERROR,
    /** Genesys refused our token or our permissions, or the login service refused our client. */
    AUTH_FAILURE,
    /** A new access token was obtained from the login service. */
    TOKEN_REFRESHED,
    /** The action was executed. */
    RETRY_SUCCESS,
    /** Genesys gave an answer no retry can change. */
    RETRY_FAILED,
    /** The retry used up its attempts or its time. */
    MAX_ATTEMPTS_REACHED,
    /** A caller cancelled the retry. */
    RETRY_CANCELLED,
    /** An action's circuit breaker opened. */
    CIRCUIT_OPEN,
    /** An action's circuit breaker closed again. */
    CIRCUIT_CLOSED,
    /** A webhook delivery failed. */
    WEBHOOK_FAILURE,
    /** An operator paused an action; the event names the API key's label ({@code by}) and the reason given. */
    ACTION_PAUSED,
    /** An operator resumed an action. */
    ACTION_RESUMED,
    /** An operator changed the limits of an action, or of the service when the event names no action. */
    LIMITS_CHANGED,
    /** Someone signed in to the console; the event names the key's label ({@code by}) and its role. */
    CONSOLE_SIGNED_IN,
    /** Someone signed out of the console. */
    CONSOLE_SIGNED_OUT,
    /** An operator revealed a retry's payload in the console; the event names who and which retry, never the payload. */
    PAYLOAD_VIEWED,
    /**
     * An operator redrove retries from the console: one ({@code requestId}) or a failure group ({@code actionId},
     * {@code code}), with how many were started again ({@code count}).
     */
    RETRIES_REDRIVEN,
    /** An operator cancelled retries from the console: one, or the unfinished ones of a failure group. */
    RETRIES_CANCELLED,
    /**
     * An operator dry-ran a retry's action through Genesys' test endpoint ({@code by}); the event says what Genesys
     * answered ({@code httpStatus}, and {@code success} from its report), never the payload or the result.
     */
    RETRY_TESTED,
    /** The service stopped while the retry was unfinished; it will not be attempted again by this instance. */
    RETRY_ABANDONED
}
