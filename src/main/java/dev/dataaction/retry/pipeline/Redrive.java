package dev.dataaction.retry.pipeline;

import dev.dataaction.retry.store.RetryRecord;

/** The answer to a request to start a finished retry again. */
public sealed interface Redrive {

    /** The retry was submitted again; the admission says whether it was accepted. */
    record Submitted(Admission admission) implements Redrive {
    }

    /** The retry has not finished, or it succeeded: there is nothing to redrive. */
    record NotRedrivable(RetryRecord retry) implements Redrive {
    }

    /** No retry has that id (or it was purged after its retention). */
    record NotFound() implements Redrive {
    }
}
