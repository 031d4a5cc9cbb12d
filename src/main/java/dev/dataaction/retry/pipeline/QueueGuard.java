package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;

/**
 * Bounds the retries this instance drives: a retry takes a permit when it is accepted here (or claimed from a store that
 * shares work) and gives it back exactly once when this instance stops driving it, whichever way that happens.
 */
@ApplicationScoped
public class QueueGuard implements Capacity {

    private final int capacity;
    private final Duration retryAfter;
    private final Semaphore permits;
    /** New retries are refused from SIGTERM on, while the ones accepted go on until the application stops. */
    private volatile boolean closed;

    QueueGuard(OrchestratorConfig config) {
        this.capacity = config.queue().maxDepth();
        this.retryAfter = config.queue().retryAfter();
        this.permits = new Semaphore(capacity);
    }

    /** Takes a permit for a new retry; false when the queue is full. */
    boolean tryAdmit() {
        return permits.tryAcquire();
    }

    /** Permits free at this moment. */
    int free() {
        return permits.availablePermits();
    }

    /** Takes up to {@code wanted} permits, as many as are free, for retries claimed from the store. */
    int tryAdmitUpTo(int wanted) {
        int taken = 0;
        while (taken < wanted && permits.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    /** Gives back a permit: its retry stopped being driven here, or never was. */
    void release() {
        permits.release();
    }

    /** How long a caller refused for want of room is asked to wait. */
    Duration retryAfter() {
        return retryAfter;
    }

    /** Refuses new retries from now on, so that callers go to another instance. */
    void close() {
        closed = true;
    }

    @Override
    public boolean closed() {
        return closed;
    }

    @Override
    public int inUse() {
        return capacity - permits.availablePermits();
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
