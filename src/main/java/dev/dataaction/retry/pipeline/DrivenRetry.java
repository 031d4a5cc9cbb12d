package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryState;
import dev.dataaction.retry.store.RetryStatus;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * One retry this instance drives, with the subscription that drives it: the stores keep its {@link #state() state}, the
 * rules read it, the driver changes it. Every transition is synchronized on the instance and checks the current status,
 * so a cancellation, a timer and an answer from Genesys that race each other leave one consistent outcome.
 */
final class DrivenRetry {

    private final UUID requestId;
    private final String actionId;
    private final String originalRunId;
    private final ObjectNode payload;
    private final boolean flatten;
    private final Instant acceptedAt;
    private final Instant deadline;

    private RetryStatus status = RetryStatus.PENDING;
    private final List<Attempt> attempts = new ArrayList<>(2);
    private int attemptsUsed;
    private Instant nextAttemptAt;
    private JsonNode result;
    private String runId;
    private LastError lastError;
    private Instant completedAt;
    private int attemptInFlight;
    private Instant inFlightSince;
    private Cancellable schedule;
    private boolean waitingStopped;
    private Runnable wake;

    DrivenRetry(Submission submission, Instant acceptedAt, Duration maxDuration, Instant firstAttemptAt) {
        this(UUID.randomUUID(), submission.actionId(), submission.originalRunId(), submission.payload(),
                submission.flatten(), acceptedAt, acceptedAt.plus(maxDuration));
        this.nextAttemptAt = firstAttemptAt;
    }

    private DrivenRetry(UUID requestId, String actionId, String originalRunId, ObjectNode payload, boolean flatten,
            Instant acceptedAt, Instant deadline) {
        this.requestId = requestId;
        this.actionId = actionId;
        this.originalRunId = originalRunId;
        this.payload = payload;
        this.flatten = flatten;
        this.acceptedAt = acceptedAt;
        this.deadline = deadline;
    }

    /**
     * Takes up a stored, unfinished retry, so that this instance drives it from where it was left. A retry whose attempt
     * was on the wire when its last holder stopped gets that attempt recorded as {@link AttemptOutcome#INTERRUPTED} and
     * is due at once: the attempt is made again, under the same number.
     */
    static DrivenRetry resume(RetryState stored, Instant now) {
        RetryRecord record = stored.record();
        DrivenRetry retry = new DrivenRetry(record.requestId(), record.actionId(), record.originalRunId(),
                stored.payload(), record.flatten(), record.acceptedAt(), stored.deadline());
        retry.attempts.addAll(record.attempts());
        retry.attemptsUsed = stored.attemptsUsed();
        retry.lastError = record.lastError();
        retry.nextAttemptAt = record.nextAttemptAt();
        if (record.status() == RetryStatus.IN_FLIGHT) {
            int number = stored.attemptInFlight() == 0 ? stored.attemptsUsed() : stored.attemptInFlight();
            retry.attempts.add(new Attempt(number, stored.inFlightSince(), 0, null, AttemptOutcome.INTERRUPTED));
            retry.attemptsUsed = Math.max(stored.attemptsUsed(), number);
            retry.nextAttemptAt = now;
        }
        return retry;
    }

    UUID requestId() {
        return requestId;
    }

    String actionId() {
        return actionId;
    }

    synchronized RetryStatus status() {
        return status;
    }

    /** What ends the current wait early, until the wait ends. */
    synchronized void onWake(Runnable wake) {
        this.wake = wake;
    }

    /** Ends the retry's wait now, when it waits for what its last error says ({@code code}), and only then. */
    void wakeIfHeldBy(String code) {
        Runnable waking;
        synchronized (this) {
            if (status != RetryStatus.PENDING || lastError == null || !code.equals(lastError.code())) {
                return;
            }
            waking = wake;
            wake = null;
        }
        if (waking != null) {
            waking.run();
        }
    }

    synchronized Instant nextAttemptAt() {
        return nextAttemptAt;
    }

    /**
     * Keeps the subscription that drives this retry, so that a cancellation can drop its pending delay. A retry cancelled
     * or told to stop waiting before its subscription arrived is stopped at once.
     */
    synchronized void attach(Cancellable schedule) {
        this.schedule = schedule;
        if (status == RetryStatus.CANCELLED || waitingStopped) {
            schedule.cancel();
        }
    }

    /**
     * Moves a due retry on the wire.
     *
     * @param number the attempt's number: the previous attempt's for a repeat (after a 401 or an interruption)
     * @return false when the retry is no longer pending (it was cancelled)
     */
    synchronized boolean startAttempt(int number, Instant at) {
        if (status != RetryStatus.PENDING) {
            return false;
        }
        status = RetryStatus.IN_FLIGHT;
        nextAttemptAt = null;
        attemptInFlight = number;
        inFlightSince = at;
        return true;
    }

    /** Records how an attempt ended. It is kept even when the retry was cancelled while the attempt was on the wire. */
    synchronized void recordAttempt(Attempt attempt, LastError error) {
        attempts.add(attempt);
        attemptsUsed = Math.max(attemptsUsed, attempt.number());
        if (error != null) {
            lastError = error;
        }
    }

    /** Puts the retry back to waiting; false when it was cancelled meanwhile. */
    synchronized boolean waitUntil(Instant at, LastError error) {
        if (error != null) {
            lastError = error;
        }
        if (status.isFinished()) {
            return false;
        }
        status = RetryStatus.PENDING;
        nextAttemptAt = at;
        return true;
    }

    /** Records the action's output. */
    synchronized void succeededWith(JsonNode result, String runId) {
        this.result = result;
        this.runId = runId;
    }

    /**
     * Ends the retry.
     *
     * @return false when it had already ended (for example it was cancelled while its last attempt was on the wire)
     */
    synchronized boolean finish(RetryStatus terminal, Instant at, LastError error) {
        if (error != null) {
            lastError = error;
        }
        if (status.isFinished()) {
            return false;
        }
        status = terminal;
        completedAt = at;
        nextAttemptAt = null;
        return true;
    }

    /**
     * Ends the retry FAILED because the store refuses its state, whatever that state was (even SUCCEEDED): what was
     * refused (the result, the last error) is dropped, so that the record can be written and the action is never
     * executed again for it.
     */
    synchronized void failUnstorable(Instant at, LastError error) {
        status = RetryStatus.FAILED;
        completedAt = at;
        nextAttemptAt = null;
        result = null;
        runId = null;
        lastError = error;
    }

    /**
     * Cancels the retry unless it already finished. A pending delay is dropped at once; an attempt on the wire is left
     * to finish and its outcome is recorded, without further attempts.
     */
    synchronized void cancel(Instant at) {
        RetryStatus before = status;
        if (before.isFinished()) {
            return;
        }
        status = RetryStatus.CANCELLED;
        completedAt = at;
        nextAttemptAt = null;
        if (before == RetryStatus.PENDING && schedule != null) {
            schedule.cancel();
        }
    }

    /**
     * Stops a pending retry's timer without changing its status, when the service shuts down.
     *
     * @return false when an attempt is on the wire or the retry has finished
     */
    synchronized boolean stopWaiting() {
        if (status != RetryStatus.PENDING) {
            return false;
        }
        waitingStopped = true;
        if (schedule != null) {
            schedule.cancel();
        }
        return true;
    }

    synchronized RetryRecord snapshot() {
        return new RetryRecord(requestId, actionId, originalRunId, flatten, status, List.copyOf(attempts), nextAttemptAt,
                result,
                runId, lastError, acceptedAt, completedAt);
    }

    /** What the rules read of the retry. */
    synchronized RetryRules.State rulesState() {
        return new RetryRules.State(attemptsUsed, attempts.isEmpty() ? null : attempts.getLast(), deadline, lastError);
    }

    /** What a store keeps of the retry. */
    synchronized RetryState state() {
        boolean inFlight = status == RetryStatus.IN_FLIGHT;
        return new RetryState(snapshot(), payload, deadline, attemptsUsed, inFlight ? attemptInFlight : 0,
                inFlight ? inFlightSince : null);
    }

    /** What attempt {@code number} sends to Genesys. */
    ActionRequest request(int number) {
        return new ActionRequest(requestId, actionId, originalRunId, payload, flatten, number);
    }
}
