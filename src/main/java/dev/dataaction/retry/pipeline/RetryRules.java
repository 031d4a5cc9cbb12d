package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStatus;

/**
 * Every rule of one retry's life in one place: functions from the retry's state, what its attempt led to and the time to
 * what it does next. No I/O and no clock: the driver asks before and after each attempt, writes the decision and acts on
 * it; the tests ask with any state and any time.
 * <p>
 * The rules: no attempt starts after the deadline ({@code max-duration}); an attempt answered 401, or interrupted by its
 * instance stopping, is repeated once under the same number without counting against {@code max-attempts}; a refusal
 * that cannot succeed later ends the retry FAILED; the last counted attempt ends it EXHAUSTED, and so does a Retry-After
 * longer than {@code max-retry-after}; otherwise it waits the backoff, never less than the Retry-After asked; a retry
 * held before reaching Genesys (open breaker, no token) waits without using up an attempt; a wait that would end past
 * the deadline ends the retry EXHAUSTED at once. Each action may have a policy of its own ({@link ActionRules}).
 */
public final class RetryRules {

    /** The part of a retry's state the rules read. */
    public record State(int attemptsUsed, Attempt lastAttempt, Instant deadline, LastError lastError) {
    }

    /** What the retry does next. */
    public sealed interface Decision {
    }

    /**
     * Start attempt {@code number} now.
     *
     * @param repeat whether it repeats the previous attempt under its number, without counting against max-attempts
     */
    public record AttemptNow(int number, boolean repeat) implements Decision {
    }

    /**
     * Wait until {@code at}, then ask again.
     *
     * @param reason why nothing reached Genesys, when the retry was held; null after an answer
     */
    public record WaitUntil(Instant at, LastError reason) implements Decision {
    }

    /**
     * End the retry.
     *
     * @param error replaces the retry's last error, when not null
     */
    public record Finish(RetryStatus status, LastError error) implements Decision {
    }

    private final OrchestratorConfig.RetryPolicy policy;
    private final Duration claimAhead;
    private final BackoffPolicy backoff;
    private final RandomGenerator jitter;

    /**
     * @param claimAhead how long before it is due a waiting retry is kept by the instance that drives it, when the store
     *        shares work
     * @param jitter draws the spread of each wait: the service's is shared by all retries, a test's may be seeded
     */
    public RetryRules(OrchestratorConfig.RetryPolicy policy, Duration claimAhead, RandomGenerator jitter) {
        this.policy = policy;
        this.claimAhead = claimAhead;
        this.backoff = new BackoffPolicy(policy);
        this.jitter = jitter;
    }

    /** How long a retry may take from its acceptance: no attempt starts later. */
    public Duration maxDuration() {
        return policy.maxDuration();
    }

    /** The longest Retry-After honoured: a retry asked to wait longer ends, and no action is held longer. */
    public Duration maxRetryAfter() {
        return policy.maxRetryAfter();
    }

    /** Whether the attempt that follows {@code last} repeats it: it was answered 401, or interrupted. */
    public static boolean repeats(Attempt last) {
        return last != null && (Integer.valueOf(401).equals(last.httpStatus())
                || last.outcome() == AttemptOutcome.INTERRUPTED);
    }

    /** When the first attempt of a retry accepted at {@code acceptedAt} is due. */
    public Instant firstAttemptAt(Instant acceptedAt) {
        return acceptedAt.plus(backoff.delayBefore(1, Optional.empty(), jitter));
    }

    /**
     * Whether an instance keeps driving a retry that waits until {@code due}, rather than handing it back to a store
     * that shares work, to be claimed again, by any replica, when it is nearly due.
     */
    public boolean keepsWaiting(Instant due, Instant now) {
        return due == null || !due.isAfter(now.plus(claimAhead));
    }

    /** A due retry: attempt now, unless its deadline has passed while it waited. */
    public Decision beforeAttempt(State state, Instant now) {
        if (now.isAfter(state.deadline())) {
            // it waited past its deadline in the backlog, behind busy permits or a replica that was down
            return exhausted(state.lastError());
        }
        boolean repeat = repeats(state.lastAttempt());
        return new AttemptNow(repeat ? state.attemptsUsed() : state.attemptsUsed() + 1, repeat);
    }

    /**
     * What follows an execution, once its attempt (if one reached Genesys) is in {@code state}.
     *
     * @param repeated whether the attempt was itself a repeat
     */
    public Decision after(State state, Execution execution, boolean repeated, Instant now) {
        return switch (execution) {
            case Execution.Succeeded ignored -> new Finish(RetryStatus.SUCCEEDED, null);
            case Execution.Refused refused -> afterRefusal(state, refused, repeated, now);
            case Execution.Held held -> held(state, held.notBefore(), held.reason(), now);
        };
    }

    /** Nothing reached Genesys: wait, without using up an attempt, until what held the retry may have passed. */
    public Decision held(State state, Optional<Instant> notBefore, LastError reason, Instant now) {
        Instant at = notBefore
                .orElseGet(() -> now.plus(backoff.delayBefore(state.attemptsUsed() + 1, Optional.empty(), jitter)));
        return waitUntil(state, at, reason);
    }

    private Decision afterRefusal(State state, Execution.Refused refused, boolean repeated, Instant now) {
        if (Integer.valueOf(401).equals(refused.httpStatus()) && !repeated) {
            // a fresh token is fetched, and the attempt is repeated at once
            return waitUntil(state, now, null);
        }
        if (!refused.retryable()) {
            return new Finish(RetryStatus.FAILED, null);
        }
        if (state.attemptsUsed() >= policy.maxAttempts()) {
            return new Finish(RetryStatus.EXHAUSTED, null);
        }
        Optional<Duration> retryAfter = refused.retryAfter();
        if (retryAfter.isPresent() && retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
            LastError cause = refused.error();
            return new Finish(RetryStatus.EXHAUSTED, new LastError(cause.httpStatus(), "retry-after.too.long",
                    "Genesys asked to wait " + retryAfter.get().toSeconds() + " s, longer than max-retry-after ("
                            + policy.maxRetryAfter().toSeconds() + " s)",
                    cause.contextId()));
        }
        return waitUntil(state, now.plus(backoff.delayBefore(state.attemptsUsed() + 1, retryAfter, jitter)), null);
    }

    private Decision waitUntil(State state, Instant at, LastError reason) {
        if (at.isAfter(state.deadline())) {
            return exhausted(reason != null ? reason : state.lastError());
        }
        return new WaitUntil(at, reason);
    }

    /** EXHAUSTED: no attempt can start before the deadline. */
    private Finish exhausted(LastError last) {
        return new Finish(RetryStatus.EXHAUSTED, new LastError(last == null ? null : last.httpStatus(),
                "max-duration.reached",
                "no attempt can start within max-duration (" + policy.maxDuration() + ")"
                        + (last == null ? "" : "; last error: " + last.message()),
                last == null ? null : last.contextId()));
    }
}
