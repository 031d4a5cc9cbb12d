package dev.dataaction.retry.ingest;

/** The kinds of error this API answers with; each has a stable {@code type} URI that clients can switch on. */
public enum ProblemType {
    INVALID_REQUEST(400, "The request is invalid"),
    UNAUTHORIZED(401, "A valid API key is required"),
    FORBIDDEN(403, "The API key may only read"),
    NOT_FOUND(404, "No such resource"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    ALREADY_FINISHED(409, "The retry has already finished"),
    NOT_REDRIVABLE(409, "The retry cannot be redriven"),
    PAYLOAD_TOO_LARGE(413, "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    QUEUE_FULL(429, "The retry queue is full"),
    INTERNAL_ERROR(500, "Internal error"),
    UNAVAILABLE(503, "The service is not accepting retries"),
    STORE_UNAVAILABLE(503, "The retry store cannot be reached"),
    DRY_RUN_UNAVAILABLE(409, "Dry runs need genesys.mode=execute"),
    LIMITS_BUSY(429, "The traffic limits leave no room for a dry run now"),
    GENESYS_RATE_LIMITED(429, "Genesys is rate limiting the action"),
    GENESYS_REFUSED(502, "Genesys refused the dry run"),
    GENESYS_UNREACHABLE(504, "Genesys could not be reached");

    private final int status;
    private final String title;

    ProblemType(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String uri() {
        return "urn:genesys-retry-orchestrator:problem:" + name().toLowerCase().replace('_', '-');
    }

    /** The type that fits an HTTP status raised by the framework. */
    static ProblemType forStatus(int status) {
        for (ProblemType type : values()) {
            if (type.status == status) {
                return type;
            }
        }
        return status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
    }
}
