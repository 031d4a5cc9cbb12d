package dev.dataaction.retry.store;

/** How one attempt to execute the action ended. */
public enum AttemptOutcome {
    /** A 2xx answer. */
    SUCCESS,
    /** 429: Genesys' rate limit. */
    RATE_LIMITED,
    /** A 5xx answer. */
    SERVER_ERROR,
    /** 408 from Genesys, or no answer within the read timeout. */
    TIMEOUT,
    /** The connection could not be made or broke. */
    NETWORK_ERROR,
    /** 401 or 403: our token or our OAuth client's permissions were refused. */
    AUTH_REJECTED,
    /** Any other 4xx answer (or an answer that is not HTTP success nor a known failure). */
    CLIENT_ERROR,
    /**
     * The instance that made the attempt stopped before its answer was recorded; the attempt is made again under the same
     * number, so Genesys may have executed the action twice (receivers de-duplicate on {@code ININ-Correlation-Id}).
     */
    INTERRUPTED
}
