package dev.dataaction.retry.pipeline;

/** What the readiness probe and the gauges read of this instance's capacity for retries ({@link QueueGuard}). */
public interface Capacity {

    /** Unfinished retries this instance holds. */
    int inUse();

    /** Unfinished retries this instance holds at most ({@code orchestrator.queue.max-depth}). */
    int capacity();

    /** Whether this instance refuses new retries because it is shutting down. */
    boolean closed();
}
