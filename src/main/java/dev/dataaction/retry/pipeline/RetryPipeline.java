package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.genesys.GenesysGateway;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.Retry;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.store.RetryStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

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
    private final OrchestratorConfig config;

    RetryPipeline(RetryStore store, QueueGuard queue, BackoffPolicy backoff, GenesysGateway gateway,
            OrchestratorConfig config) {
        this.store = store;
        this.queue = queue;
        this.backoff = backoff;
        this.gateway = gateway;
        this.config = config;
    }

    /**
     * Accepts a validated retry unless its idempotency key is held or the queue is full. A retry that is accepted has
     * its permit and its first attempt scheduled before this returns.
     */
    public Admission submit(String actionId, String originalRunId, ObjectNode payload) {
        Optional<Retry> holder = store.holderOf(actionId, originalRunId);
        if (holder.isPresent()) {
            return new Admission.Duplicate(holder.get().snapshot());
        }
        if (!queue.tryAdmit()) {
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
        return new Cancellation.Cancelled(retry.snapshot());
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

    private static Uni<Void> untilDue(Retry retry) {
        Instant due = retry.nextAttemptAt();
        Duration wait = due == null ? Duration.ZERO : Duration.between(Instant.now(), due);
        if (wait.isNegative() || wait.isZero()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(wait);
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

    private Next classify(Retry retry, Execution execution, Started attempt) {
        return switch (execution) {
            case Execution.Succeeded succeeded -> {
                retry.recordAttempt(attempt.ended(succeeded.httpStatus(), AttemptOutcome.SUCCESS), null);
                retry.succeededWith(succeeded.result(), succeeded.runId());
                yield finish(retry, RetryStatus.SUCCEEDED, null);
            }
            case Execution.Refused refused -> {
                retry.recordAttempt(attempt.ended(refused.httpStatus(), refused.outcome()), refused.error());
                yield afterRefusal(retry, refused, attempt.repeat());
            }
            case Execution.Held held -> waitUntil(retry,
                    held.notBefore()
                            .orElseGet(() -> Instant.now().plus(backoff.delayBefore(attempt.number(), Optional.empty()))),
                    held.reason());
        };
    }

    private Next afterRefusal(Retry retry, Execution.Refused refused, boolean repeat) {
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
        return waitUntil(retry, Instant.now().plus(backoff.delayBefore(retry.attemptsUsed() + 1, retryAfter)), null);
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
        return retry.waitUntil(at, reason) ? Next.AGAIN : Next.DONE;
    }

    private Next finish(Retry retry, RetryStatus status, LastError error) {
        if (retry.finish(status, Instant.now(), error)) {
            store.finished(retry);
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
