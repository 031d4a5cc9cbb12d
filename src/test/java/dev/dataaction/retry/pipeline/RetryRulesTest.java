package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStatus;

/**
 * Each rule of a retry's life, asked as a plain function: the test profile's policy (4 attempts, 100 ms doubling up to
 * 400 ms ± 10 %, Retry-After up to 3 s, 20 s in all), at instants the test chooses.
 */
class RetryRulesTest {

    private static final Instant ACCEPTED = Instant.parse("2026-12-06T09:00:00Z");
    private static final Instant DEADLINE = ACCEPTED.plusSeconds(20);
    private static final LastError UNAVAILABLE = new LastError(503, "service.unavailable", "down for maintenance", "ctx-1");

    private final RetryRules rules = new RetryRules(RetryPolicies.testProfile(), Duration.ofSeconds(1),
            new SplittableRandom(6));

    @Test
    void aNewRetryMakesAttemptOneAfterTheFirstBackoff() {
        Instant first = rules.firstAttemptAt(ACCEPTED);

        assertThat(Duration.between(ACCEPTED, first)).isBetween(Duration.ofMillis(90), Duration.ofMillis(110));
        assertThat(rules.beforeAttempt(fresh(), first)).isEqualTo(new RetryRules.AttemptNow(1, false));
    }

    @Test
    void aRetryFoundPastItsDeadlineEndsExhaustedWithoutAnAttemptAndKeepsItsLastError() {
        RetryRules.State waited = new RetryRules.State(2, answered(2, 503), DEADLINE, UNAVAILABLE);

        RetryRules.Decision due = rules.beforeAttempt(waited, DEADLINE.plusMillis(1));

        RetryRules.Finish finish = (RetryRules.Finish) due;
        assertThat(finish.status()).isEqualTo(RetryStatus.EXHAUSTED);
        assertThat(finish.error().code()).isEqualTo("max-duration.reached");
        assertThat(finish.error().httpStatus()).isEqualTo(503);
        assertThat(finish.error().contextId()).isEqualTo("ctx-1");
        assertThat(finish.error().message()).contains("PT20S").contains("down for maintenance");
        assertThat(rules.beforeAttempt(waited, DEADLINE)).isEqualTo(new RetryRules.AttemptNow(3, false));
    }

    @Test
    void a401IsRepeatedAtOnceUnderTheSameNumberThenEndsTheRetryIfRefusedAgain() {
        Instant now = ACCEPTED.plusSeconds(1);
        RetryRules.State refused = new RetryRules.State(1, answered(1, 401), DEADLINE, null);

        assertThat(rules.after(refused, authRejected(), false, now)).isEqualTo(new RetryRules.WaitUntil(now, null));
        assertThat(rules.beforeAttempt(refused, now)).isEqualTo(new RetryRules.AttemptNow(1, true));
        assertThat(rules.after(refused, authRejected(), true, now))
                .isEqualTo(new RetryRules.Finish(RetryStatus.FAILED, null));
    }

    @Test
    void anAttemptInterruptedByItsInstanceStoppingIsMadeAgainUnderItsNumber() {
        Attempt interrupted = new Attempt(2, ACCEPTED, 0, null, AttemptOutcome.INTERRUPTED);

        assertThat(rules.beforeAttempt(new RetryRules.State(2, interrupted, DEADLINE, null), ACCEPTED.plusSeconds(5)))
                .isEqualTo(new RetryRules.AttemptNow(2, true));
    }

    @Test
    void aRefusalALaterAttemptCannotCureEndsTheRetryFailed() {
        Execution.Refused badRequest = new Execution.Refused(400, AttemptOutcome.CLIENT_ERROR, false, Optional.empty(),
                new LastError(400, "bad.request", "missing input", null));

        assertThat(rules.after(new RetryRules.State(1, answered(1, 400), DEADLINE, null), badRequest, false, ACCEPTED))
                .isEqualTo(new RetryRules.Finish(RetryStatus.FAILED, null));
    }

    @Test
    void theLastCountedAttemptEndsTheRetryExhausted() {
        RetryRules.State last = new RetryRules.State(4, answered(4, 503), DEADLINE, UNAVAILABLE);

        assertThat(rules.after(last, unavailable(Optional.empty()), false, ACCEPTED.plusSeconds(2)))
                .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, null));
    }

    @Test
    void aRetryAfterLongerThanTheCapEndsTheRetryExhaustedSayingWhy() {
        RetryRules.State first = new RetryRules.State(1, answered(1, 429), DEADLINE, UNAVAILABLE);

        RetryRules.Finish finish = (RetryRules.Finish) rules.after(first,
                unavailable(Optional.of(Duration.ofSeconds(4))), false, ACCEPTED);

        assertThat(finish.status()).isEqualTo(RetryStatus.EXHAUSTED);
        assertThat(finish.error().code()).isEqualTo("retry-after.too.long");
        assertThat(finish.error().message()).isEqualTo("Genesys asked to wait 4 s, longer than max-retry-after (3 s)");
    }

    @Test
    void aRetryAfterOfExactlyTheCapIsHonouredWithinTheJitterBand() {
        RetryRules.State first = new RetryRules.State(1, answered(1, 429), DEADLINE, UNAVAILABLE);

        RetryRules.WaitUntil wait = (RetryRules.WaitUntil) rules.after(first,
                unavailable(Optional.of(Duration.ofSeconds(3))), false, ACCEPTED);

        assertThat(Duration.between(ACCEPTED, wait.at())).isBetween(Duration.ofSeconds(3), Duration.ofMillis(3300));
    }

    @Test
    void aWaitThatWouldEndPastTheDeadlineEndsTheRetryNow() {
        RetryRules.State late = new RetryRules.State(1, answered(1, 503), DEADLINE, UNAVAILABLE);

        RetryRules.Decision decision = rules.after(late, unavailable(Optional.of(Duration.ofSeconds(2))), false,
                DEADLINE.minusSeconds(1));

        assertThat(((RetryRules.Finish) decision).error().code()).isEqualTo("max-duration.reached");
    }

    @Test
    void aHeldRetryWaitsUntilWhatHeldItMayHavePassedWithoutUsingAnAttempt() {
        LastError open = new LastError(null, "circuit.open", "the action's circuit breaker is open", null);
        RetryRules.State state = new RetryRules.State(2, answered(2, 503), DEADLINE, UNAVAILABLE);
        Instant now = ACCEPTED.plusSeconds(3);

        assertThat(rules.held(state, Optional.of(now.plusSeconds(5)), open, now))
                .isEqualTo(new RetryRules.WaitUntil(now.plusSeconds(5), open));
        RetryRules.WaitUntil backoff = (RetryRules.WaitUntil) rules.held(state, Optional.empty(), open, now);
        // the wait of attempt 3, which has not been used
        assertThat(Duration.between(now, backoff.at())).isBetween(Duration.ofMillis(360), Duration.ofMillis(440));
        assertThat(rules.beforeAttempt(state, backoff.at())).isEqualTo(new RetryRules.AttemptNow(3, false));
    }

    @Test
    void aSuccessEndsTheRetry() {
        Execution.Succeeded done = new Execution.Succeeded(200, null, null);

        assertThat(rules.after(new RetryRules.State(3, answered(3, 200), DEADLINE, UNAVAILABLE), done, false, ACCEPTED))
                .isEqualTo(new RetryRules.Finish(RetryStatus.SUCCEEDED, null));
    }

    @Test
    void aRetryWaitingLongerThanClaimAheadIsHandedBackAndOneDueSoonerIsKept() {
        Instant now = ACCEPTED.plusSeconds(2);

        assertThat(rules.keepsWaiting(now.plusSeconds(1), now)).isTrue();
        assertThat(rules.keepsWaiting(now.plusMillis(1_001), now)).isFalse();
        assertThat(rules.keepsWaiting(null, now)).as("nothing to wait for").isTrue();
    }

    private static RetryRules.State fresh() {
        return new RetryRules.State(0, null, DEADLINE, null);
    }

    private static Attempt answered(int number, int httpStatus) {
        AttemptOutcome outcome = switch (httpStatus) {
            case 200 -> AttemptOutcome.SUCCESS;
            case 401 -> AttemptOutcome.AUTH_REJECTED;
            case 429 -> AttemptOutcome.RATE_LIMITED;
            default -> httpStatus >= 500 ? AttemptOutcome.SERVER_ERROR : AttemptOutcome.CLIENT_ERROR;
        };
        return new Attempt(number, ACCEPTED, 5, httpStatus, outcome);
    }

    private static Execution.Refused authRejected() {
        return new Execution.Refused(401, AttemptOutcome.AUTH_REJECTED, false, Optional.empty(),
                new LastError(401, "bad.credentials", "Invalid login credentials", null));
    }

    private static Execution.Refused unavailable(Optional<Duration> retryAfter) {
        return new Execution.Refused(503, AttemptOutcome.SERVER_ERROR, true, retryAfter, UNAVAILABLE);
    }
}
