package dev.dataaction.retry.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.subscription.Cancellable;

/**
 * The live state of one accepted retry. Every transition is synchronized on the instance and checks the current status,
 * so a cancellation, a timer and an answer from Genesys that race each other leave one consistent outcome.
 */
public final class Retry {

    private final UUID requestId;
    private final String actionId;
    private final String originalRunId;
    private final ObjectNode payload;
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
    private boolean slotReleased;

    public Retry(String actionId, String originalRunId, ObjectNode payload, Instant acceptedAt, Duration maxDuration,
            Instant firstAttemptAt) {
        this(UUID.randomUUID(), actionId, originalRunId, payload, acceptedAt, acceptedAt.plus(maxDuration));
        this.nextAttemptAt = firstAttemptAt;
    }

    private Retry(UUID requestId, String actionId, String originalRunId, ObjectNode payload, Instant acceptedAt,
            Instant deadline) {
        this.requestId = requestId;
        this.actionId = actionId;
        this.originalRunId = originalRunId;
        this.payload = payload;
        this.acceptedAt = acceptedAt;
        this.deadline = deadline;
    }

    /**
     * Takes up a stored, unfinished retry, so that this instance drives it from where it was left. A retry whose attempt
     * was on the wire when its last holder stopped gets that attempt recorded as {@link AttemptOutcome#INTERRUPTED} and
     * is due at once: the attempt is made again, under the same number.
     *
     * @param inFlightSince when the interrupted attempt started, for a retry that was IN_FLIGHT
     */
    public static Retry resume(RetryRecord stored, ObjectNode payload, Instant deadline, int attemptsUsed,
            Integer attemptInFlight, Instant inFlightSince) {
        Retry retry = new Retry(stored.requestId(), stored.actionId(), stored.originalRunId(), payload,
                stored.acceptedAt(), deadline);
        retry.attempts.addAll(stored.attempts());
        retry.attemptsUsed = attemptsUsed;
        retry.lastError = stored.lastError();
        retry.nextAttemptAt = stored.nextAttemptAt();
        if (stored.status() == RetryStatus.IN_FLIGHT) {
            int number = attemptInFlight == null ? attemptsUsed : attemptInFlight;
            retry.attempts.add(new Attempt(number, inFlightSince, 0, null, AttemptOutcome.INTERRUPTED));
            retry.attemptsUsed = Math.max(attemptsUsed, number);
            retry.nextAttemptAt = Instant.now();
        }
        return retry;
    }

    public UUID requestId() {
        return requestId;
    }

    public String actionId() {
        return actionId;
    }

    public String originalRunId() {
        return originalRunId;
    }

    /** The action's input as the caller submitted it. Personal data: never logged. */
    public ObjectNode payload() {
        return payload;
    }

    public Instant acceptedAt() {
        return acceptedAt;
    }

    /** The instant after which no attempt is started any more ({@code orchestrator.retry.max-duration}). */
    public Instant deadline() {
        return deadline;
    }

    public synchronized RetryStatus status() {
        return status;
    }

    public synchronized Instant nextAttemptAt() {
        return nextAttemptAt;
    }

    /** Attempts that counted against max-attempts so far (a repeat after a token refresh does not count). */
    public synchronized int attemptsUsed() {
        return attemptsUsed;
    }

    /** The last attempt that ended, or null before the first. */
    public synchronized Attempt lastAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    /** The number of the attempt on the wire, while IN_FLIGHT. */
    public synchronized int attemptInFlight() {
        return status == RetryStatus.IN_FLIGHT ? attemptInFlight : 0;
    }

    /** When the attempt on the wire started, while IN_FLIGHT. */
    public synchronized Instant inFlightSince() {
        return status == RetryStatus.IN_FLIGHT ? inFlightSince : null;
    }

    /**
     * Keeps the subscription that drives this retry, so that a cancellation can drop its pending delay. A retry cancelled
     * or told to stop waiting before its subscription arrived is stopped at once.
     */
    public synchronized void attach(Cancellable schedule) {
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
    public synchronized boolean startAttempt(int number, Instant at) {
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
    public synchronized void recordAttempt(Attempt attempt, LastError error) {
        attempts.add(attempt);
        attemptsUsed = Math.max(attemptsUsed, attempt.number());
        if (error != null) {
            lastError = error;
        }
    }

    /** Puts the retry back to waiting; false when it was cancelled meanwhile. */
    public synchronized boolean waitUntil(Instant at, LastError error) {
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
    public synchronized void succeededWith(JsonNode result, String runId) {
        this.result = result;
        this.runId = runId;
    }

    /**
     * Ends the retry.
     *
     * @return false when it had already ended (for example it was cancelled while its last attempt was on the wire)
     */
    public synchronized boolean finish(RetryStatus terminal, Instant at, LastError error) {
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
    public synchronized void failUnstorable(Instant at, LastError error) {
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
     *
     * @return the status the retry had before, so the caller knows whether a slot is still held by an attempt
     */
    public synchronized RetryStatus cancel(Instant at) {
        RetryStatus before = status;
        if (before.isFinished()) {
            return before;
        }
        status = RetryStatus.CANCELLED;
        completedAt = at;
        nextAttemptAt = null;
        if (before == RetryStatus.PENDING && schedule != null) {
            schedule.cancel();
        }
        return before;
    }

    /**
     * Stops a pending retry's timer without changing its status, when the service shuts down.
     *
     * @return false when an attempt is on the wire or the retry has finished
     */
    public synchronized boolean stopWaiting() {
        if (status != RetryStatus.PENDING) {
            return false;
        }
        waitingStopped = true;
        if (schedule != null) {
            schedule.cancel();
        }
        return true;
    }

    /** True exactly once: the first time the retry gives back its queue slot. */
    public synchronized boolean releaseSlot() {
        if (slotReleased) {
            return false;
        }
        slotReleased = true;
        return true;
    }

    public synchronized LastError lastError() {
        return lastError;
    }

    public synchronized Instant completedAt() {
        return completedAt;
    }

    public synchronized JsonNode result() {
        return result;
    }

    public synchronized String runId() {
        return runId;
    }

    public synchronized RetryRecord snapshot() {
        return new RetryRecord(requestId, actionId, originalRunId, status, List.copyOf(attempts), nextAttemptAt, result,
                runId, lastError, acceptedAt, completedAt);
    }
}
