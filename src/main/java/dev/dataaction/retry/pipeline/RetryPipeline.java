package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.genesys.GenesysGateway;
import dev.dataaction.retry.observe.RetryMetrics.RejectionReason;
import dev.dataaction.retry.observe.RetryTelemetry;
import dev.dataaction.retry.observe.TokenMonitor;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.Retry;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.store.RetryStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Carries each accepted retry through its life: guard, then repeatedly delay, attempt, classify, until it finishes.
 * Nothing here blocks: a waiting retry is one timer, and an attempt is one non-blocking HTTP call.
 */
@ApplicationScoped
public class RetryPipeline {

    private static final Logger LOG = Logger.getLogger(RetryPipeline.class);

    /** What the loop does after a step. */
    private enum Next {
        AGAIN,
        DONE
    }

    /** An attempt on the wire. */
    private record Started(int number, Instant at, long nanoTime, boolean repeat) {

        Attempt ended(Integer httpStatus, AttemptOutcome outcome) {
            return new Attempt(number, at, (System.nanoTime() - nanoTime) / 1_000_000, httpStatus, outcome);
        }
    }

    private final RetryStore store;
    private final QueueGuard queue;
    private final BackoffPolicy backoff;
    private final GenesysGateway gateway;
    private final RetryTelemetry telemetry;
    private final TokenMonitor tokens;
    private final OrchestratorConfig config;
    private final Vertx vertx;
    private volatile boolean draining;

    RetryPipeline(RetryStore store, QueueGuard queue, BackoffPolicy backoff, GenesysGateway gateway,
            RetryTelemetry telemetry, TokenMonitor tokens, OrchestratorConfig config, Vertx vertx) {
        this.store = store;
        this.queue = queue;
        this.backoff = backoff;
        this.gateway = gateway;
        this.telemetry = telemetry;
        this.tokens = tokens;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * Accepts a validated retry unless its idempotency key is held, the queue is full or the service is shutting down.
     * A retry that is accepted has its permit and its first attempt scheduled before this returns.
     *
     * @param payloadBytes the payload's size, for the audit trail (its content is never logged)
     */
    public Admission submit(String actionId, String originalRunId, ObjectNode payload, int payloadBytes) {
        Optional<Retry> holder = store.holderOf(actionId, originalRunId);
        if (holder.isPresent()) {
            return new Admission.Duplicate(holder.get().snapshot());
        }
        if (draining) {
            telemetry.rejected(actionId, originalRunId, RejectionReason.SHUTTING_DOWN);
            return new Admission.ShuttingDown(config.queue().retryAfter());
        }
        if (!queue.tryAdmit()) {
            telemetry.rejected(actionId, originalRunId, RejectionReason.QUEUE_FULL);
            return new Admission.QueueFull(queue.capacity(), config.queue().retryAfter());
        }
        Instant now = Instant.now();
        Retry candidate = new Retry(actionId, originalRunId, payload, now, config.retry().maxDuration(),
                now.plus(backoff.delayBefore(1, Optional.empty())));
        Retry stored = store.add(candidate);
        if (stored != candidate) {
            queue.giveBack();
            return new Admission.Duplicate(stored.snapshot());
        }
        Admission accepted = new Admission.Accepted(candidate.snapshot());
        telemetry.accepted(candidate, payloadBytes);
        run(candidate);
        return accepted;
    }

    /** Cancels an unfinished retry: its pending delay is dropped and its queue slot freed. */
    public Cancellation cancel(UUID requestId) {
        Optional<Retry> found = store.find(requestId);
        if (found.isEmpty()) {
            return new Cancellation.NotFound();
        }
        Retry retry = found.get();
        RetryStatus before = retry.cancel(Instant.now());
        if (before.isFinished()) {
            return new Cancellation.AlreadyFinished(retry.snapshot());
        }
        // a pending retry's subscription was cancelled, which gave its permit back; one on the wire gives it back
        // when its attempt ends
        store.finished(retry);
        telemetry.finished(retry.snapshot());
        return new Cancellation.Cancelled(retry.snapshot());
    }

    /** Whether the service is shutting down and refuses new retries. */
    public boolean isDraining() {
        return draining;
    }

    /** Refuses new retries from now on, so that callers go to another instance. */
    void stopAccepting() {
        draining = true;
    }

    /**
     * Shuts the pipeline down: no new retry is accepted, pending timers are stopped, attempts on the wire are given
     * until {@code timeout} to finish, and every retry left unfinished is logged as abandoned.
     */
    void drain(Duration timeout) {
        draining = true;
        List<Retry> unfinished = store.unfinished();
        unfinished.forEach(Retry::stopWaiting);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (unfinished.stream().anyMatch(retry -> retry.status() == RetryStatus.IN_FLIGHT)
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        for (Retry retry : unfinished) {
            if (!retry.status().isFinished()) {
                telemetry.abandoned(retry.snapshot());
            }
        }
    }

    private void run(Retry retry) {
        retry.attach(Multi.createBy().repeating().uni(() -> step(retry)).whilst(next -> next == Next.AGAIN)
                .onTermination().invoke(() -> queue.release(retry))
                .subscribe().with(ignored -> {
                }, failure -> abandon(retry, failure)));
    }

    /** One turn: wait until the retry is due, attempt, classify. */
    private Uni<Next> step(Retry retry) {
        return untilDue(retry).chain(() -> attempt(retry));
    }

    /**
     * Waits on a Vert.x timer, which fires on an event loop: a waiting retry costs one timer, and the attempt that follows
     * starts without a hop through a worker thread. Cancelling the subscription cancels the timer.
     */
    private Uni<Void> untilDue(Retry retry) {
        Instant due = retry.nextAttemptAt();
        long waitNanos = due == null ? 0 : Duration.between(Instant.now(), due).toNanos();
        if (waitNanos <= 0) {
            return Uni.createFrom().voidItem();
        }
        // timers count whole milliseconds and refuse less than one: round up, never fire early
        long waitMillis = (waitNanos + 999_999) / 1_000_000;
        return Uni.createFrom().emitter(timerDone -> {
            long timer = vertx.setTimer(waitMillis, fired -> timerDone.complete(null));
            timerDone.onTermination(() -> vertx.cancelTimer(timer));
        });
    }

    private Uni<Next> attempt(Retry retry) {
        // after a 401 the token filter fetches a new token, and the attempt is repeated once without using one up
        boolean repeat = retry.lastAttemptUnauthorized();
        int number = retry.startAttempt(repeat);
        if (number == 0) {
            return Uni.createFrom().item(Next.DONE);
        }
        Started attempt = new Started(number, Instant.now(), System.nanoTime(), repeat);
        return gateway.execute(retry, number).map(execution -> classify(retry, execution, attempt));
    }

    private Next classify(Retry retry, Execution execution, Started started) {
        return switch (execution) {
            case Execution.Succeeded succeeded -> {
                Attempt attempt = started.ended(succeeded.httpStatus(), AttemptOutcome.SUCCESS);
                retry.recordAttempt(attempt, null);
                retry.succeededWith(succeeded.result(), succeeded.runId());
                telemetry.attempted(retry, attempt);
                yield finish(retry, RetryStatus.SUCCEEDED, null);
            }
            case Execution.Refused refused -> {
                Attempt attempt = started.ended(refused.httpStatus(), refused.outcome());
                retry.recordAttempt(attempt, refused.error());
                telemetry.attempted(retry, attempt);
                yield afterRefusal(retry, refused, attempt, started.repeat());
            }
            case Execution.Held held -> {
                if (held.cause() == Execution.HeldBy.TOKEN_UNAVAILABLE) {
                    tokens.tokenUnavailable();
                }
                Instant retryAt = held.notBefore()
                        .orElseGet(() -> Instant.now().plus(backoff.delayBefore(started.number(), Optional.empty())));
                yield waitUntil(retry, retryAt, held.reason());
            }
        };
    }

    private Next afterRefusal(Retry retry, Execution.Refused refused, Attempt attempt, boolean repeat) {
        if (Integer.valueOf(401).equals(refused.httpStatus()) && !repeat) {
            return waitUntil(retry, Instant.now(), null);
        }
        if (!refused.retryable()) {
            return finish(retry, RetryStatus.FAILED, null);
        }
        if (retry.attemptsUsed() >= config.retry().maxAttempts()) {
            return finish(retry, RetryStatus.EXHAUSTED, null);
        }
        Optional<Duration> retryAfter = refused.retryAfter();
        if (retryAfter.isPresent() && retryAfter.get().compareTo(config.retry().maxRetryAfter()) > 0) {
            LastError cause = refused.error();
            return finish(retry, RetryStatus.EXHAUSTED, new LastError(cause.httpStatus(), "retry-after.too.long",
                    "Genesys asked to wait " + retryAfter.get().toSeconds() + " s, longer than max-retry-after ("
                            + config.retry().maxRetryAfter().toSeconds() + " s)",
                    cause.contextId()));
        }
        Duration delay = backoff.delayBefore(retry.attemptsUsed() + 1, retryAfter);
        Next next = waitUntil(retry, Instant.now().plus(delay), null);
        if (next == Next.AGAIN) {
            telemetry.backingOff(retry, attempt, delay);
        }
        return next;
    }

    private Next waitUntil(Retry retry, Instant at, LastError reason) {
        if (at.isAfter(retry.deadline())) {
            LastError last = reason != null ? reason : retry.lastError();
            return finish(retry, RetryStatus.EXHAUSTED, new LastError(last == null ? null : last.httpStatus(),
                    "max-duration.reached",
                    "no attempt can start within max-duration (" + config.retry().maxDuration() + ")"
                            + (last == null ? "" : "; last error: " + last.message()),
                    last == null ? null : last.contextId()));
        }
        if (!retry.waitUntil(at, reason)) {
            return Next.DONE;
        }
        // a stopping service leaves the retry pending, and drain() reports it as abandoned
        return draining ? Next.DONE : Next.AGAIN;
    }

    private Next finish(Retry retry, RetryStatus status, LastError error) {
        if (retry.finish(status, Instant.now(), error)) {
            store.finished(retry);
            telemetry.finished(retry.snapshot());
        }
        return Next.DONE;
    }

    /** A failure no classification foresaw: the retry ends FAILED, visibly, rather than disappearing. */
    private void abandon(Retry retry, Throwable failure) {
        LOG.errorf(failure, "Retry %s stopped on an internal error", retry.requestId());
        finish(retry, RetryStatus.FAILED,
                new LastError(null, "internal.error", "the retry stopped on an internal error", null));
    }
}
