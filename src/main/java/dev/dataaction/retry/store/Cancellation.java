package dev.dataaction.retry.store;

/** The answer to a cancellation request. */
public sealed interface Cancellation {

    /** The retry was cancelled; an attempt that was on the wire may still add its outcome to the record. */
    record Cancelled(RetryRecord retry) implements Cancellation {
    }

    /** The retry had already finished; nothing changed. */
    record AlreadyFinished(RetryRecord retry) implements Cancellation {
    }

    /** No retry has that id (or it was forgotten after its retention). */
    record NotFound() implements Cancellation {
    }
}
