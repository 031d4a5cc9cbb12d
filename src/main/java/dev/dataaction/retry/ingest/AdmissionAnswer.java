package dev.dataaction.retry.ingest;

import java.net.URI;
import java.time.Duration;

import jakarta.ws.rs.core.Response;

import dev.dataaction.retry.pipeline.Admission;
import dev.dataaction.retry.store.RetryRecord;

/**
 * What an admission tells its caller, the same for a single submission, an item of a batch and a redrive: the record
 * (202 when new, 200 when another retry holds the key), or a problem and how long to wait before trying again.
 *
 * @param retryAfter null when the caller need not wait
 */
record AdmissionAnswer(BatchResults.Outcome outcome, RetryRecord retry, Problem problem, Duration retryAfter) {

    static AdmissionAnswer of(Admission admission) {
        return switch (admission) {
            case Admission.Accepted accepted -> new AdmissionAnswer(BatchResults.Outcome.ACCEPTED, accepted.retry(), null,
                    null);
            case Admission.Duplicate duplicate -> new AdmissionAnswer(BatchResults.Outcome.DUPLICATE, duplicate.retry(),
                    null, null);
            case Admission.QueueFull full -> refused(new Problem(ProblemType.QUEUE_FULL.uri(),
                    ProblemType.QUEUE_FULL.title(), 429,
                    "The queue holds its maximum of " + full.capacity()
                            + " unfinished retries (orchestrator.queue.max-depth); try again in "
                            + full.retryAfter().toSeconds() + " s.",
                    null, full.capacity()), full.retryAfter());
            case Admission.ShuttingDown stopping -> refused(Problem.of(ProblemType.UNAVAILABLE,
                    "The service is shutting down; send the retry to another instance."), stopping.retryAfter());
            case Admission.StoreUnavailable unreachable -> refused(Problem.storeUnavailable(unreachable.outcomeUnknown(),
                    "the retry may yet be stored. Submitting it again is safe: if it was stored, it is returned.",
                    unreachable.retryAfter()), unreachable.retryAfter());
        };
    }

    private static AdmissionAnswer refused(Problem problem, Duration retryAfter) {
        return new AdmissionAnswer(BatchResults.Outcome.REJECTED, null, problem, retryAfter);
    }

    /** The answer to a request that asked for this one admission. */
    Response toResponse() {
        return switch (outcome) {
            case ACCEPTED -> Response.accepted(retry).location(URI.create("/v1/retries/" + retry.requestId())).build();
            case DUPLICATE -> Response.ok(retry).build();
            case REJECTED -> problem.toResponse().header("Retry-After", retryAfter.toSeconds()).build();
        };
    }

    /** The answer as the {@code index}th result of a batch. */
    BatchResults.Item toItem(int index) {
        return new BatchResults.Item(index, outcome, retry, problem);
    }
}
