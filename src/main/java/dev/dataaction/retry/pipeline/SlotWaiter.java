package dev.dataaction.retry.pipeline;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A due retry waiting in the {@link AttemptGate} for a slot. It is given one, or none (its deadline passed, its action
 * was paused), exactly once, on the retry's own Vert.x context; {@link #state} settles the races between a grant, an
 * expiry and the retry's subscriber giving up.
 */
final class SlotWaiter {
    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int DONE = 2;

    final ActionLane lane;
    final Instant due;
    final long sequence;
    final Context context;
    final UniEmitter<? super Optional<AttemptGate.Slot>> emitter;
    final AtomicInteger state = new AtomicInteger(WAITING);
    volatile AttemptGate.Slot slot;
    volatile long deadlineTimer = -1;

    SlotWaiter(ActionLane lane, Instant due, long sequence, Context context,
            UniEmitter<? super Optional<AttemptGate.Slot>> emitter) {
        this.lane = lane;
        this.due = due == null ? Instant.MIN : due;
        this.sequence = sequence;
        this.context = context;
        this.emitter = emitter;
    }

    /** Hands the slot over on the retry's own context; a waiter cancelled meanwhile has released it. */
    void deliver() {
        onContext(() -> {
            if (state.compareAndSet(GRANTED, DONE)) {
                emitter.complete(Optional.of(slot));
            }
        });
    }

    /** Ends the wait without a slot. */
    void finish(Optional<AttemptGate.Slot> none) {
        if (state.compareAndSet(WAITING, DONE)) {
            onContext(() -> emitter.complete(none));
        }
    }

    private void onContext(Runnable step) {
        if (context == null || Vertx.currentContext() == context) {
            step.run();
        } else {
            context.runOnContext(ignored -> step.run());
        }
    }
}
