package dev.dataaction.retry.observe;

/**
 * What the readiness probe and the gauges read of this instance's capacity for retries, without reaching into the
 * pipeline that keeps it.
 */
public interface Capacity {

    /** Unfinished retries this instance holds. */
    int inUse();

    /** Unfinished retries this instance holds at most ({@code orchestrator.queue.max-depth}). */
    int capacity();

    /** Whether this instance refuses new retries because it is shutting down. */
    boolean closed();
}
