package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.genesys.GenesysGateway;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStatus;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Drives the retries this instance holds, each in a loop: wait until due, attempt, write the outcome, act on it. What
 * each step leads to is {@link RetryRules}' decision. Nothing here blocks: a waiting retry is one timer, and an attempt
 * is one non-blocking HTTP call.
 */
@ApplicationScoped
class RetryDriver {

    private static final Logger LOG = Logger.getLogger(RetryDriver.class);

    /** What the loop does after a step. */
    private enum Next {
        /** Wait for the next attempt. */
        AGAIN,
        /** The retry reached a terminal status in this step. */
        FINISHED,
        /** Stop driving the retry: it was cancelled, handed back to the store, or the service is stopping. */
        STOP
    }

    /** An attempt on the wire. */
    private record Started(ActionRequest request, Instant at, long nanoTime, boolean repeat) {

        Attempt ended(Integer httpStatus, AttemptOutcome outcome) {
            return new Attempt(request.attempt(), at, (System.nanoTime() - nanoTime) / 1_000_000, httpStatus, outcome);
        }
    }

    private final StateWrites writes;
    private final GenesysGateway gateway;
    private final Event<RetryEvent> events;
    private final ActionRules rules;
    private final AttemptGate gate;
    private final Vertx vertx;
    /** The retries this instance drives: every unfinished one with the memory store, its claimed ones otherwise. */
    private final Map<UUID, DrivenRetry> driven = new ConcurrentHashMap<>();
    /** The application stops: a retry that would wait stops being driven, and drain() hands it back or reports it. */
    private volatile boolean stopping;

    RetryDriver(StateWrites writes, GenesysGateway gateway, Event<RetryEvent> events, ActionRules rules,
            AttemptGate gate, Vertx vertx) {
        this.writes = writes;
        this.gate = gate;
        this.gateway = gateway;
        this.events = events;
        this.rules = rules;
        this.vertx = vertx;
    }

    /** The retry this instance drives under {@code requestId}, if it drives it. */
    Optional<DrivenRetry> driving(UUID requestId) {
        return Optional.ofNullable(driven.get(requestId));
    }

    /** The retries this instance drives. */
    Set<UUID> drivenHere() {
        return driven.keySet();
    }

    /**
     * Stops driving: pending timers are stopped, and attempts on the wire are given until {@code timeout} to finish. With
     * a store that shares work, the waiting retries are handed back for other replicas (or this one, restarted) to take
     * up when due; otherwise every retry left unfinished is logged as abandoned.
     */
    void drain(Duration timeout) {
        stopping = true;
        List<DrivenRetry> unfinished = List.copyOf(driven.values());
        unfinished.forEach(DrivenRetry::stopWaiting);
        long deadline = System.nanoTime() + timeout.toNanos();
        // a retry stops being driven once its last outcome is written, not merely once its answer has come back
        while (!driven.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        List<DrivenRetry> waiting = unfinished.stream().filter(retry -> !retry.status().isFinished()).toList();
        if (!writes.handBack(waiting, driven.isEmpty())) {
            waiting.forEach(retry -> events.fire(new RetryEvent.Abandoned(retry.snapshot())));
        }
    }

    /**
     * Drives the retry on a Vert.x context of its own, on the event loop it came from. The loop is put together there,
     * outside the request that submitted the retry: built inside it, every step would run with that ended request's
     * context restored (keeping its state reachable while the retry waits, and costing the REST client an exception per
     * attempt when it looks for the request's headers).
     */
    void drive(DrivenRetry retry, Runnable whenStopped) {
        driven.put(retry.requestId(), retry);
        Context own = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        own.runOnContext(ignored -> retry.attach(Multi.createBy().repeating().uni(() -> step(retry))
                .whilst(next -> next == Next.AGAIN)
                .onTermination().invoke(() -> {
                    driven.remove(retry.requestId(), retry);
                    whenStopped.run();
                })
                .subscribe().with(ignoredNext -> {
                }, failure -> abandon(retry, failure))));
    }

    /** One turn: wait until the retry is due, attempt, classify, and write the outcome before acting on it. */
    private Uni<Next> step(DrivenRetry retry) {
        return untilDue(retry).chain(() -> attempt(retry));
    }

    /**
     * Waits on a Vert.x timer, which fires on an event loop: a waiting retry costs one timer, and the attempt that follows
     * starts without a hop through a worker thread. Cancelling the subscription cancels the timer.
     */
    private Uni<Void> untilDue(DrivenRetry retry) {
        Instant due = retry.nextAttemptAt();
        long waitNanos = due == null ? 0 : Duration.between(Instant.now(), due).toNanos();
        if (waitNanos <= 0) {
            return Uni.createFrom().voidItem();
        }
        // timers count whole milliseconds and refuse less than one: round up, never fire early
        long waitMillis = (waitNanos + 999_999) / 1_000_000;
        return Uni.createFrom().emitter(timerDone -> {
            Context own = Vertx.currentContext();
            long timer = vertx.setTimer(waitMillis, fired -> timerDone.complete(null));
            // woken early (its action resumed): the step goes on on the retry's own context, as after the timer
            retry.onWake(() -> {
                if (vertx.cancelTimer(timer)) {
                    own.runOnContext(ignored -> timerDone.complete(null));
                }
            });
            // held for a pause lifted between the decision and now, after the resume woke the retries waiting then
            if (!gate.paused(retry.actionId())) {
                retry.wakeIfHeldBy(AttemptGate.PAUSED);
            }
            timerDone.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    /** Wakes the retries of {@code actionId} that its pause holds, here: their action was resumed. */
    void wakePaused(String actionId) {
        driven.values().stream().filter(retry -> retry.actionId().equals(actionId))
                .forEach(retry -> retry.wakeIfHeldBy(AttemptGate.PAUSED));
    }

    /**
     * A due retry's attempt. Nothing goes on the wire, and no attempt is used, while the action's breaker is open, while
     * it is paused, or until the limits on what reaches Genesys give the attempt a slot ({@link AttemptGate}).
     */
    private Uni<Next> attempt(DrivenRetry retry) {
        Instant now = Instant.now();
        RetryRules.Decision due = rules.of(retry.actionId()).beforeAttempt(retry.rulesState(), now);
        if (!(due instanceof RetryRules.AttemptNow)) {
            return settle(retry, apply(retry, due));
        }
        Optional<Execution.Held> breakerOpen = gateway.holdBeforeAttempt(retry.actionId());
        if (breakerOpen.isPresent()) {
            // nothing goes on the wire, so nothing is written IN_FLIGHT: a crash now leaves no attempt to interrupt
            return settle(retry, held(retry, breakerOpen.get().notBefore(), breakerOpen.get().reason(), now));
        }
        Optional<AttemptGate.Hold> hold = gate.hold(retry.actionId(), retry.rulesState().deadline(), now);
        if (hold.isPresent()) {
            return settle(retry, held(retry, hold.get().notBefore(), hold.get().reason(), now));
        }
        // a retry that waited for a slot until its deadline, or until its action was paused, is asked about again
        return gate.take(retry.actionId(), retry.nextAttemptAt(), retry.rulesState().deadline())
                .chain(slot -> slot.isPresent() ? send(retry, slot.get()) : Uni.createFrom().item(Next.AGAIN));
    }

    /** Sends the attempt in the slot it was given; the slot is freed with what came of it, or unused on any other end. */
    private Uni<Next> send(DrivenRetry retry, AttemptGate.Slot slot) {
        Instant now = Instant.now();
        RetryRules.Decision due = rules.of(retry.actionId()).beforeAttempt(retry.rulesState(), now);
        if (!(due instanceof RetryRules.AttemptNow attempt)) {
            slot.release(null);
            return settle(retry, apply(retry, due));
        }
        if (!retry.startAttempt(attempt.number(), now)) {
            slot.release(null);
            return Uni.createFrom().item(Next.STOP);
        }
        Started started = new Started(retry.request(attempt.number()), now, System.nanoTime(), attempt.repeat());
        return writes.save(retry, true).chain(ours -> ours
                ? gateway.execute(started.request()).invoke(slot::release)
                        .map(execution -> classify(retry, execution, started))
                        .chain(next -> settle(retry, next))
                : Uni.createFrom().item(Next.STOP))
                .onTermination().invoke(() -> slot.release(null));
    }

    /**
     * Writes what the attempt led to, then acts on it. A retry waiting longer than {@code orchestrator.postgres.claim-ahead}
     * is handed back to a store that shares work, to be claimed again when it is nearly due.
     */
    private Uni<Next> settle(DrivenRetry retry, Next next) {
        boolean keep = next == Next.AGAIN
                && (!writes.sharesWork() || rules.of(retry.actionId()).keepsWaiting(retry.nextAttemptAt(), Instant.now()));
        return writes.save(retry, keep).map(ours -> {
            if (next == Next.FINISHED && ours) {
                writes.finished(retry);
            }
            return ours && keep ? Next.AGAIN : next == Next.AGAIN ? Next.STOP : next;
        });
    }

    /** Records the attempt that reached Genesys, if one did, then applies what the rules make of it. */
    private Next classify(DrivenRetry retry, Execution execution, Started started) {
        Instant now = Instant.now();
        Attempt attempt;
        switch (execution) {
            case Execution.Held held -> {
                return held(retry, held.notBefore(), held.reason(), now);
            }
            case Execution.Succeeded succeeded -> {
                attempt = started.ended(succeeded.httpStatus(), AttemptOutcome.SUCCESS);
                retry.recordAttempt(attempt, null);
                retry.succeededWith(succeeded.result(), succeeded.runId());
            }
            case Execution.Refused refused -> {
                attempt = started.ended(refused.httpStatus(), refused.outcome());
                retry.recordAttempt(attempt, refused.error());
            }
        }
        events.fire(new RetryEvent.Attempted(started.request(), attempt));
        RetryRules.Decision decision = rules.of(retry.actionId()).after(retry.rulesState(), execution, started.repeat(), now);
        Next next = apply(retry, decision);
        if (next == Next.AGAIN && decision instanceof RetryRules.WaitUntil wait && wait.at().isAfter(now)) {
            events.fire(new RetryEvent.BackingOff(started.request(), attempt, Duration.between(now, wait.at())));
        }
        return next;
    }

    /** Nothing reached Genesys: the retry waits, without using up an attempt, until what held it may have passed. */
    private Next held(DrivenRetry retry, Optional<Instant> notBefore, LastError reason, Instant now) {
        return apply(retry, rules.of(retry.actionId()).held(retry.rulesState(), notBefore, reason, now));
    }

    /** Applies a decision to the live retry, unless it was cancelled meanwhile. */
    private Next apply(DrivenRetry retry, RetryRules.Decision decision) {
        return switch (decision) {
            case RetryRules.Finish finish ->
                retry.finish(finish.status(), Instant.now(), finish.error()) ? Next.FINISHED : Next.STOP;
            case RetryRules.WaitUntil wait -> {
                if (!retry.waitUntil(wait.at(), wait.reason())) {
                    yield Next.STOP;
                }
                // a stopping service leaves the retry pending: drain() hands it back to a shared store or reports it
                yield stopping ? Next.STOP : Next.AGAIN;
            }
            case RetryRules.AttemptNow ignored -> throw new IllegalStateException("an attempt is started, not applied");
        };
    }

    /** A failure no classification foresaw: the retry ends FAILED, visibly, rather than disappearing. */
    private void abandon(DrivenRetry retry, Throwable failure) {
        LOG.errorf(failure, "Retry %s stopped on an internal error", retry.requestId());
        if (retry.finish(RetryStatus.FAILED, Instant.now(),
                new LastError(null, "internal.error", "the retry stopped on an internal error", null))) {
            writes.save(retry, false).subscribe().with(ours -> {
                if (ours) {
                    writes.finished(retry);
                }
            }, unwritten -> LOG.warnf("Retry %s: its failure could not be written (%s)", retry.requestId(),
                    unwritten.getMessage()));
        }
    }
}
