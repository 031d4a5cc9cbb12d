package dev.dataaction.retry.ingest;

import java.time.Duration;
import java.util.Optional;

/** Ends a request with a problem body. Carries no stack trace: it is an answer, not a fault. */
public final class ProblemException extends RuntimeException {

    private final Problem problem;
    private final Duration retryAfter;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    /** A problem the caller may try again after {@code retryAfter}, sent as the {@code Retry-After} header. */
    public ProblemException(Problem problem, Duration retryAfter) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public Problem problem() {
        return problem;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
