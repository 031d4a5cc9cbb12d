package dev.dataaction.retry.pipeline;

import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.store.Retry;

/**
 * Bounds the retries this instance holds: a retry takes a permit when it is accepted and gives it back exactly once
 * when it finishes, whichever way it finishes.
 */
@ApplicationScoped
public class QueueGuard {

    private final int capacity;
    private final Semaphore permits;

    QueueGuard(OrchestratorConfig config) {
        this.capacity = config.queue().maxDepth();
        this.permits = new Semaphore(capacity);
    }

    /** Takes a permit for a new retry; false when the queue is full. */
    boolean tryAdmit() {
        return permits.tryAcquire();
    }

    /** Gives back a permit taken by {@link #tryAdmit()} for a retry that was never stored. */
    void giveBack() {
        permits.release();
    }

    /** Gives back the retry's permit, unless it already did. */
    void release(Retry retry) {
        if (retry.releaseSlot()) {
            permits.release();
        }
    }

    /** Permits held by unfinished retries. */
    public int inUse() {
        return capacity - permits.availablePermits();
    }

    public int capacity() {
        return capacity;
    }
}
