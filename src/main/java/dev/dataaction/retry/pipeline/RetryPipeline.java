package dev.dataaction.retry.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.dataaction.retry.store.Addition;
import dev.dataaction.retry.store.Cancellation;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryState;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoreFailures;
import dev.dataaction.retry.store.StoreTimeout;
import dev.dataaction.retry.store.StoredSubmission;
import io.smallrye.mutiny.Uni;

/**
 * Admits retries: a new submission, a redrive, or one claimed from a store that shares work, each taking a permit of
 * {@link QueueGuard} and handed to {@link RetryDriver} once stored; and cancels them. Nothing here blocks.
 */
@ApplicationScoped
public class RetryPipeline {

    private static final Logger LOG = Logger.getLogger(RetryPipeline.class);

    private final RetryStore store;
    private final QueueGuard queue;
    private final RetryDriver driver;
    private final Event<RetryEvent> events;
    private final ActionRules rules;
    /** Retries being stored for this instance to drive: not driven yet, but no claim may take them. */
    private final Set<UUID> admitting = ConcurrentHashMap.newKeySet();

    RetryPipeline(RetryStore store, QueueGuard queue, RetryDriver driver, Event<RetryEvent> events, ActionRules rules) {
        this.store = store;
        this.queue = queue;
        this.driver = driver;
        this.events = events;
        this.rules = rules;
    }

    /**
     * Accepts a validated retry unless its idempotency key is held, the queue is full or the service is shutting down. A
     * retry that is accepted is stored (committed, with a durable store) before this completes, and its first attempt is
     * scheduled, here or, when this instance drives all it can, on whichever replica claims it.
     *
     * @param payloadBytes the payload's size, for the audit trail (its content is never logged)
     */
    public Uni<Admission> submit(Submission submission, int payloadBytes) {
        String actionId = submission.actionId();
        String originalRunId = submission.originalRunId();
        boolean draining = queue.closed();
        boolean driveHere = !draining && queue.tryAdmit();
        if (!driveHere && (draining || store.sharing().isEmpty())) {
            return store.holderOf(actionId, originalRunId).map(holder -> holder.<Admission> map(Admission.Duplicate::new)
                    .orElseGet(() -> refusal(actionId, originalRunId)));
        }
        Instant now = Instant.now();
        RetryRules actionRules = rules.of(actionId);
        DrivenRetry candidate = new DrivenRetry(submission, now, actionRules.maxDuration(), actionRules.firstAttemptAt(now));
        if (driveHere) {
            admitting.add(candidate.requestId());
        }
        return toTheEnd(store.add(candidate.state(), driveHere).<Admission> map(addition -> switch (addition) {
            case Addition.Added added -> {
                events.fire(new RetryEvent.Accepted(added.retry(), payloadBytes));
                if (driveHere) {
                    drive(candidate);
                }
                yield new Admission.Accepted(added.retry());
            }
            case Addition.Duplicate duplicate -> {
                releaseIf(driveHere);
                yield new Admission.Duplicate(duplicate.holder());
            }
            case Addition.BacklogFull full -> {
                releaseIf(driveHere);
                events.fire(new RetryEvent.Rejected(actionId, originalRunId, RejectionReason.QUEUE_FULL));
                yield new Admission.QueueFull(full.maxBacklog(), queue.retryAfter());
            }
        }).onFailure().invoke(failure -> releaseIf(driveHere))
                .onFailure(StoreFailures::isTransient).recoverWithItem(failure -> {
                    // the outage itself is logged by the store, once; each refusal is counted
                    LOG.debugf("Retry of %s not accepted: the store did not answer (%s)", actionId, failure.getMessage());
                    events.fire(new RetryEvent.Rejected(actionId, originalRunId, RejectionReason.STORE_UNAVAILABLE));
                    return new Admission.StoreUnavailable(queue.retryAfter(), failure instanceof StoreTimeout);
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

    /** Starts a stopped retry again as a new retry, asking for the output in the same shape. */
    public Uni<Admission> redrive(StoredSubmission stopped) {
        RetryRecord original = stopped.retry();
        return submit(new Submission(original.actionId(), original.originalRunId(), stopped.payload(), original.flatten()),
                stopped.payload().toString().getBytes(StandardCharsets.UTF_8).length);
    }

    /** Cancels an unfinished retry: its pending delay is dropped and the instance driving it lets it go. */
    public Uni<Cancellation> cancel(UUID requestId) {
        Instant now = Instant.now();
        return store.cancel(requestId, now).invoke(cancellation -> {
            if (cancellation instanceof Cancellation.Cancelled cancelled) {
                driver.driving(requestId).ifPresent(here -> here.cancel(now));
                events.fire(new RetryEvent.Finished(cancelled.retry()));
            }
        });
    }

    /**
     * Takes up retries this instance claimed from the store (their permits already taken): each is driven from the
     * state it was stored in.
     */
    void takeUp(List<RetryState> claimed) {
        Instant now = Instant.now();
        for (RetryState stored : claimed) {
            if (driver.driving(stored.requestId()).isPresent()) {
                queue.release();
                continue;
            }
            LOG.debugf("Retry %s claimed; attempts used so far: %d", stored.requestId(), stored.attemptsUsed());
            drive(DrivenRetry.resume(stored, now));
        }
    }

    /** The retries this instance drives or is storing to drive, which no claim of its own may take. */
    Set<UUID> heldHere() {
        Set<UUID> held = new HashSet<>(driver.drivenHere());
        held.addAll(admitting);
        return held;
    }

    /** Whether the service is shutting down and refuses new retries. */
    public boolean isDraining() {
        return queue.closed();
    }

    /** Refuses new retries from now on, so that callers go to another instance. */
    void stopAccepting() {
        queue.close();
    }

    /**
     * Shuts the pipeline down: no new retry is accepted, and the driver stops (see {@link RetryDriver#drain(Duration)}).
     */
    void drain(Duration timeout) {
        queue.close();
        driver.drain(timeout);
    }

    private Admission refusal(String actionId, String originalRunId) {
        if (queue.closed()) {
            events.fire(new RetryEvent.Rejected(actionId, originalRunId, RejectionReason.SHUTTING_DOWN));
            return new Admission.ShuttingDown(queue.retryAfter());
        }
        events.fire(new RetryEvent.Rejected(actionId, originalRunId, RejectionReason.QUEUE_FULL));
        return new Admission.QueueFull(queue.capacity(), queue.retryAfter());
    }

    private void releaseIf(boolean permitTaken) {
        if (permitTaken) {
            queue.release();
        }
    }

    /** Drives a retry that holds one of this instance's permits, and gives the permit back when it stops. */
    private void drive(DrivenRetry retry) {
        driver.drive(retry, queue::release);
    }
}
