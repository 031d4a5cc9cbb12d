package dev.dataaction.retry.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import dev.dataaction.retry.store.Addition;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.Cancellation;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.Retry;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoreFailures;
import dev.dataaction.retry.store.StoreTimeout;
import dev.dataaction.retry.store.StoredSubmission;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
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
        /** Wait for the next attempt. */
        AGAIN,
        /** The retry reached a terminal status in this step. */
        FINISHED,
        /** Stop driving the retry: it was cancelled, handed back to the store, or the service is stopping. */
        STOP
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
    /** The retries this instance drives: every unfinished one with the memory store, its claimed ones otherwise. */
    private final Map<UUID, Retry> driven = new ConcurrentHashMap<>();
    /** Retries being stored for this instance to drive: not driven yet, but no claim may take them. */
    private final Set<UUID> admitting = ConcurrentHashMap.newKeySet();
    /** New retries are refused (from SIGTERM on), while the ones accepted go on until the application stops. */
    private volatile boolean draining;
    /** The application stops: a retry that would wait stops being driven, and drain() hands it back or reports it. */
    private volatile boolean stopping;

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
     * Accepts a validated retry unless its idempotency key is held, the queue is full or the service is shutting down. A
     * retry that is accepted is stored (committed, with a durable store) before this completes, and its first attempt is
     * scheduled, here or, when this instance drives all it can, on whichever replica claims it.
     *
     * @param payloadBytes the payload's size, for the audit trail (its content is never logged)
     */
    public Uni<Admission> submit(String actionId, String originalRunId, ObjectNode payload, int payloadBytes) {
        boolean driveHere = !draining && queue.tryAdmit();
        if (!driveHere && (draining || !store.sharesWork())) {
            return store.holderOf(actionId, originalRunId).map(holder -> holder.<Admission> map(Admission.Duplicate::new)
                    .orElseGet(() -> refusal(actionId, originalRunId)));
        }
        Instant now = Instant.now();
        Retry candidate = new Retry(actionId, originalRunId, payload, now, config.retry().maxDuration(),
                now.plus(backoff.delayBefore(1, Optional.empty())));
        if (driveHere) {
            admitting.add(candidate.requestId());
        }
        return toTheEnd(store.add(candidate, driveHere).<Admission> map(addition -> switch (addition) {
            case Addition.Added added -> {
                telemetry.accepted(candidate, payloadBytes);
                if (driveHere) {
                    drive(candidate);
                }
                yield new Admission.Accepted(added.retry());
            }
            case Addition.Held held -> {
                giveBackIf(driveHere);
                yield new Admission.Duplicate(held.holder());
            }
            case Addition.BacklogFull full -> {
                giveBackIf(driveHere);
                telemetry.rejected(actionId, originalRunId, RejectionReason.QUEUE_FULL);
                yield new Admission.QueueFull(full.maxBacklog(), config.queue().retryAfter());
            }
        }).onFailure().invoke(failure -> giveBackIf(driveHere))
                .onFailure(StoreFailures::isTransient).recoverWithItem(failure -> {
                    // the outage itself is logged by the store, once; each refusal is counted
                    LOG.debugf("Retry of %s not accepted: the store did not answer (%s)", actionId, failure.getMessage());
                    telemetry.rejected(actionId, originalRunId, RejectionReason.STORE_UNAVAILABLE);
                    return new Admission.StoreUnavailable(config.queue().retryAfter(), failure instanceof StoreTimeout);
                })
                .onTermination().invoke(() -> admitting.remove(candidate.requestId())));
    }

    /**
     * Runs an admission to its end whatever becomes of the request that asked for it. A caller who hangs up cancels the
     * answer it awaits, but the store's write may still be applied: the permit taken for the retry must then be given
     * back, or the retry driven, exactly as if the caller had stayed.
     */
    private static <T> Uni<T> toTheEnd(Uni<T> admission) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        admission.subscribe().with(outcome::complete, outcome::completeExceptionally);
        return Uni.createFrom().completionStage(outcome);
    }

    /**
     * Starts a finished retry again, as a new retry with the same action, run id and payload: 404 when it is unknown, a
     * duplicate when another retry holds its key, refused when it has not finished or it succeeded.
     */
    public Uni<Redrive> redrive(UUID requestId) {
        return store.submission(requestId).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(new Redrive.NotFound());
            }
            RetryRecord original = found.get().retry();
            if (!original.status().allowsRedrive()) {
                return Uni.createFrom().item(new Redrive.NotRedrivable(original));
            }
            return redrive(found.get()).map(Redrive.Submitted::new);
        });
    }

    /** Starts a stopped retry again as a new retry. */
    public Uni<Admission> redrive(StoredSubmission stopped) {
        RetryRecord original = stopped.retry();
        return submit(original.actionId(), original.originalRunId(), stopped.payload(),
                stopped.payload().toString().getBytes(StandardCharsets.UTF_8).length);
    }

    /** Cancels an unfinished retry: its pending delay is dropped and the instance driving it lets it go. */
    public Uni<Cancellation> cancel(UUID requestId) {
        Instant now = Instant.now();
        return store.cancel(requestId, now).invoke(cancellation -> {
            if (cancellation instanceof Cancellation.Cancelled cancelled) {
                Retry here = driven.get(requestId);
                if (here != null) {
                    here.cancel(now);
                }
                telemetry.finished(cancelled.retry());
            }
        });
    }

    /**
     * Takes up retries this instance claimed from the store (their permits already taken): each is driven from the
     * state it was stored in.
     */
    void takeUp(List<Retry> claimed) {
        for (Retry retry : claimed) {
            if (driven.containsKey(retry.requestId())) {
                queue.giveBack();
                continue;
            }
            LOG.debugf("Retry %s claimed; attempts used so far: %d", retry.requestId(), retry.attemptsUsed());
            drive(retry);
        }
    }

    /** The retries this instance drives or is storing to drive, which no claim of its own may take. */
    Set<UUID> heldHere() {
        Set<UUID> held = new HashSet<>(driven.keySet());
        held.addAll(admitting);
        return held;
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
     * Shuts the pipeline down: no new retry is accepted, pending timers are stopped, and attempts on the wire are given
     * until {@code timeout} to finish. With a store that shares work, the waiting retries are handed back for other
     * replicas (or this one, restarted) to take up when due; otherwise every retry left unfinished is logged as abandoned.
     */
    void drain(Duration timeout) {
        draining = true;
        stopping = true;
        List<Retry> unfinished = List.copyOf(driven.values());
        unfinished.forEach(Retry::stopWaiting);
        long deadline = System.nanoTime() + timeout.toNanos();
        // a retry stops being driven once its last outcome is written, not merely once its answer has come back
        while (!driven.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        List<Retry> waiting = unfinished.stream().filter(retry -> !retry.status().isFinished()).toList();
        if (store.sharesWork()) {
            try {
                // an attempt still on the wire keeps this replica's heartbeat until it is taken for gone
                Uni<Void> handBack = driven.isEmpty() ? store.leave(waiting) : store.release(waiting);
                handBack.await().atMost(Duration.ofSeconds(5));
                LOG.infof("Handed %d waiting retries back to the store for other replicas", waiting.size());
            } catch (RuntimeException unreachable) {
                LOG.warnf("Could not hand %d waiting retries back; other replicas take them over when their leases "
                        + "run out (%s)", waiting.size(), unreachable.getMessage());
            }
            return;
        }
        waiting.forEach(retry -> telemetry.abandoned(retry.snapshot()));
    }

    private Admission refusal(String actionId, String originalRunId) {
        if (draining) {
            telemetry.rejected(actionId, originalRunId, RejectionReason.SHUTTING_DOWN);
            return new Admission.ShuttingDown(config.queue().retryAfter());
        }
        telemetry.rejected(actionId, originalRunId, RejectionReason.QUEUE_FULL);
        return new Admission.QueueFull(queue.capacity(), config.queue().retryAfter());
    }

    private void giveBackIf(boolean permitTaken) {
        if (permitTaken) {
            queue.giveBack();
        }
    }

    /**
     * Drives the retry on a Vert.x context of its own, on the event loop it came from. The loop is put together there,
     * outside the request that submitted the retry: built inside it, every step would run with that ended request's
     * context restored (keeping its state reachable while the retry waits, and costing the REST client an exception per
     * attempt when it looks for the request's headers).
     */
    private void drive(Retry retry) {
        driven.put(retry.requestId(), retry);
        Context own = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        own.runOnContext(ignored -> retry.attach(Multi.createBy().repeating().uni(() -> step(retry))
                .whilst(next -> next == Next.AGAIN)
                .onTermination().invoke(() -> {
                    driven.remove(retry.requestId(), retry);
                    queue.release(retry);
                })
                .subscribe().with(ignoredNext -> {
                }, failure -> abandon(retry, failure))));
    }

    /** One turn: wait until the retry is due, attempt, classify, and write the outcome before acting on it. */
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
        // after a 401 the token filter fetches a new token, and the attempt is repeated once without using one up; an
        // attempt interrupted by its instance stopping is repeated too
        boolean repeat = retry.lastAttemptRepeats();
        Instant now = Instant.now();
        if (now.isAfter(retry.deadline())) {
            // it waited past its deadline in the backlog, behind busy permits or a replica that was down
            return settle(retry, exhausted(retry, retry.lastError()));
        }
        Optional<Execution.Held> breakerOpen = gateway.holdBeforeAttempt(retry.actionId());
        if (breakerOpen.isPresent()) {
            // nothing goes on the wire, so nothing is written IN_FLIGHT: a crash now leaves no attempt to interrupt
            return settle(retry, hold(retry, breakerOpen.get(), retry.attemptsUsed() + 1));
        }
        int number = retry.startAttempt(repeat, now);
        if (number == 0) {
            return Uni.createFrom().item(Next.STOP);
        }
        Started attempt = new Started(number, now, System.nanoTime(), repeat);
        return save(retry, true).chain(ours -> ours
                ? gateway.execute(retry, number).map(execution -> classify(retry, execution, attempt))
                        .chain(next -> settle(retry, next))
                : Uni.createFrom().item(Next.STOP));
    }

    /**
     * Writes what the attempt led to, then acts on it. A retry waiting longer than {@code orchestrator.postgres.claim-ahead}
     * is handed back to a store that shares work, to be claimed again when it is nearly due.
     */
    private Uni<Next> settle(Retry retry, Next next) {
        boolean keep = next == Next.AGAIN && (!store.sharesWork() || retry.nextAttemptAt() == null
                || !retry.nextAttemptAt().isAfter(Instant.now().plus(config.postgres().claimAhead())));
        return save(retry, keep).map(ours -> {
            if (next == Next.FINISHED && ours) {
                store.finished(retry);
                telemetry.finished(retry.snapshot());
            }
            return ours && keep ? Next.AGAIN : next == Next.AGAIN ? Next.STOP : next;
        });
    }

    /**
     * Writes the retry's state. When the store cannot be reached, this instance lets the retry go: it takes it up again
     * from the state last written once the store answers (or, if this instance dies meanwhile, another replica does). A
     * state the store refuses whenever it is written (a value it cannot hold) is no outage: the retry ends FAILED, and
     * the action is not executed again.
     */
    private Uni<Boolean> save(Retry retry, boolean keep) {
        return store.save(retry, keep).onFailure(StoreFailures::isTransient).recoverWithItem(failure -> {
            LOG.debugf("Retry %s let go: its state could not be written (%s)", retry.requestId(), failure.getMessage());
            return false;
        }).onFailure().recoverWithUni(refused -> failUnstorable(retry, refused));
    }

    private Uni<Boolean> failUnstorable(Retry retry, Throwable refused) {
        String sqlState = StoreFailures.sqlStateOf(refused);
        LOG.errorf("Retry %s: the store refused its state (SQLSTATE %s); it ends FAILED and is not attempted again",
                retry.requestId(), sqlState);
        retry.failUnstorable(Instant.now(), new LastError(null, "store.refused",
                "the retry's state could not be stored (SQLSTATE " + sqlState + "); the last answer is in the audit trail",
                null));
        return store.save(retry, false).onFailure().recoverWithItem(false).invoke(ours -> {
            if (ours) {
                store.finished(retry);
                telemetry.finished(retry.snapshot());
            }
        }).replaceWith(false);
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
            case Execution.Held held -> hold(retry, held, started.number());
        };
    }

    /** Nothing reached Genesys: the retry waits, without using up an attempt, until what held it may have passed. */
    private Next hold(Retry retry, Execution.Held held, int number) {
        if (held.cause() == Execution.HeldBy.TOKEN_UNAVAILABLE) {
            tokens.tokenUnavailable();
        }
        Instant retryAt = held.notBefore()
                .orElseGet(() -> Instant.now().plus(backoff.delayBefore(number, Optional.empty())));
        return waitUntil(retry, retryAt, held.reason());
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
            return exhausted(retry, reason != null ? reason : retry.lastError());
        }
        if (!retry.waitUntil(at, reason)) {
            return Next.STOP;
        }
        // a stopping service leaves the retry pending: drain() hands it back to a shared store or reports it abandoned
        return stopping ? Next.STOP : Next.AGAIN;
    }

    /** Ends the retry EXHAUSTED: no attempt can start before its deadline. */
    private Next exhausted(Retry retry, LastError last) {
        return finish(retry, RetryStatus.EXHAUSTED, new LastError(last == null ? null : last.httpStatus(),
                "max-duration.reached",
                "no attempt can start within max-duration (" + config.retry().maxDuration() + ")"
                        + (last == null ? "" : "; last error: " + last.message()),
                last == null ? null : last.contextId()));
    }

    /** Ends the retry here, unless it was cancelled meanwhile; the outcome is announced once it is written. */
    private Next finish(Retry retry, RetryStatus status, LastError error) {
        return retry.finish(status, Instant.now(), error) ? Next.FINISHED : Next.STOP;
    }

    /** A failure no classification foresaw: the retry ends FAILED, visibly, rather than disappearing. */
    private void abandon(Retry retry, Throwable failure) {
        LOG.errorf(failure, "Retry %s stopped on an internal error", retry.requestId());
        if (retry.finish(RetryStatus.FAILED, Instant.now(),
                new LastError(null, "internal.error", "the retry stopped on an internal error", null))) {
            store.save(retry, false).subscribe().with(ours -> {
                if (ours) {
                    store.finished(retry);
                    telemetry.finished(retry.snapshot());
                }
            }, unwritten -> LOG.warnf("Retry %s: its failure could not be written (%s)", retry.requestId(),
                    unwritten.getMessage()));
        }
    }
}
