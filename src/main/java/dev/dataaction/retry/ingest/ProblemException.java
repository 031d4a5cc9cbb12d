package dev.dataaction.retry.ingest;

/** Ends a request with a problem body. Carries no stack trace: it is an answer, not a fault. */
public final class ProblemException extends RuntimeException {

    private final Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
