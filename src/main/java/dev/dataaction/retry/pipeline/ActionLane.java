package dev.dataaction.retry.pipeline;

import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

import dev.dataaction.retry.store.LastError;

/** One action's place in the {@link AttemptGate}: its limits, its waiting retries and its state. Guarded by the gate. */
final class ActionLane {
    final String actionId;
    final ScopeLimit limit;
    /** Its due retries waiting for a slot, the earliest due first. */
    final PriorityQueue<SlotWaiter> waiting = new PriorityQueue<>(
            Comparator.comparing((SlotWaiter waiter) -> waiter.due).thenComparingLong(waiter -> waiter.sequence));
    boolean inTurn;
    boolean paused;
    String pauseReason;
    long rateLimitedUntilNanos = System.nanoTime();
    Instant rateLimitedUntil;
    LastError lastError;

    ActionLane(String actionId, ScopeLimit limit) {
        this.actionId = actionId;
        this.limit = limit;
    }
}
