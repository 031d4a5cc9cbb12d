package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The rules' promises, whatever Genesys answers, however late the timers fire and whatever the policy: a retry's whole
 * life is played through the rules, with the live {@link Retry} applying each decision as the pipeline does.
 */
class RetryRulesPropertyTest {

    private static final Instant ACCEPTED = Instant.parse("2026-12-06T09:00:00Z");

    /** What Genesys answers to one attempt; the delays are relative to the attempt. */
    sealed interface Answer {
    }

    record Success() implements Answer {
    }

    record Refusal(Integer httpStatus, boolean retryable, Optional<Duration> retryAfter) implements Answer {
    }

    record Hold(Optional<Duration> notBefore) implements Answer {
    }

    /** A policy within the bounds the configuration accepts. */
    record Policy(OrchestratorConfig.RetryPolicy retry, long seed) {
    }

    /** One decision the rules took, with when it was taken. */
    record Step(Instant at, RetryRules.Decision decision, Answer answer) {
    }

    @Property(tries = 500)
    void noMoreCountedAttemptsThanMaxAttemptsAndNoAttemptAfterTheDeadline(@ForAll("policies") Policy policy,
            @ForAll @Size(max = 30) List<@From("answers") Answer> answers,
            @ForAll @IntRange(max = 3_000) int timerLatenessMillis) {
        List<Step> life = live(policy, answers, Duration.ofMillis(timerLatenessMillis));

        Instant deadline = ACCEPTED.plus(policy.retry().maxDuration());
        for (Step step : life) {
            if (step.decision() instanceof RetryRules.AttemptNow attempt) {
                assertThat(attempt.number()).as("attempt number").isBetween(1, policy.retry().maxAttempts());
                assertThat(step.at()).as("start of attempt %d", attempt.number()).isBeforeOrEqualTo(deadline);
            }
            if (step.decision() instanceof RetryRules.WaitUntil wait) {
                assertThat(wait.at()).as("end of a wait").isBeforeOrEqualTo(deadline);
            }
        }
        assertThat(life.getLast().decision()).as("how the retry's life ended").isInstanceOf(RetryRules.Finish.class);
    }

    @Property(tries = 500)
    void a401IsRepeatedOnceAndOnlyOnce(@ForAll("policies") Policy policy,
            @ForAll @Size(max = 30) List<@From("answers") Answer> answers) {
        List<Step> life = live(policy, answers, Duration.ZERO);

        List<RetryRules.AttemptNow> attempts = life.stream().map(Step::decision)
                .filter(RetryRules.AttemptNow.class::isInstance).map(RetryRules.AttemptNow.class::cast).toList();
        List<Answer> answered = life.stream().filter(step -> step.decision() instanceof RetryRules.AttemptNow)
                .map(Step::answer).toList();
        for (int i = 0; i < attempts.size(); i++) {
            boolean firstRefusedWith401 = answered.get(i) instanceof Refusal refusal
                    && Integer.valueOf(401).equals(refusal.httpStatus()) && !attempts.get(i).repeat();
            if (i + 1 < attempts.size() && answered.get(i) instanceof Hold) {
                // nothing reached Genesys: the same attempt is made when the hold has passed
                assertThat(attempts.get(i + 1)).as("attempt after the hold of %s", attempts.get(i))
                        .isEqualTo(attempts.get(i));
            } else if (i + 1 < attempts.size()) {
                assertThat(attempts.get(i + 1).repeat()).as("attempt after %s", attempts.get(i))
                        .isEqualTo(firstRefusedWith401);
            } else if (firstRefusedWith401) {
                assertThat(life.getLast().decision()).as("end after a first 401")
                        .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, maxDurationReached(life)));
            }
            if (attempts.get(i).repeat()) {
                assertThat(attempts.get(i).number()).isEqualTo(attempts.get(i - 1).number());
            }
        }
    }

    @Property(tries = 2_000)
    void everyWaitHonoursTheRetryAfterUpToItsCapAndStaysInTheJitterBandOfTheSchedule(
            @ForAll("policies") Policy policy, @ForAll @IntRange(min = 1, max = 20) int attemptsUsed,
            @ForAll("retryAfters") Optional<Duration> retryAfter) {
        OrchestratorConfig.RetryPolicy retry = policy.retry();
        RetryRules rules = rulesOf(policy);
        Instant now = ACCEPTED.plusSeconds(1);
        RetryRules.State state = new RetryRules.State(attemptsUsed,
                new Attempt(attemptsUsed, now, 1, 503, AttemptOutcome.SERVER_ERROR), ACCEPTED.plus(Duration.ofDays(1)),
                null);

        RetryRules.Decision decision = rules.after(state,
                new Execution.Refused(503, AttemptOutcome.SERVER_ERROR, true, retryAfter,
                        new LastError(503, null, "HTTP 503", null)),
                false, now);

        if (attemptsUsed >= retry.maxAttempts()
                || retryAfter.filter(asked -> asked.compareTo(retry.maxRetryAfter()) > 0).isPresent()) {
            assertThat(decision).isInstanceOf(RetryRules.Finish.class);
            return;
        }
        long waitNanos = Duration.between(now, ((RetryRules.WaitUntil) decision).at()).toNanos();
        double scheduled = Math.min(retry.baseDelay().toNanos() * Math.pow(retry.backoffFactor(), attemptsUsed),
                retry.maxDelay().toNanos());
        double band = retry.jitterFactor();
        long asked = retryAfter.orElse(Duration.ZERO).toNanos();
        assertThat(waitNanos).as("wait").isGreaterThanOrEqualTo(asked)
                .isGreaterThanOrEqualTo((long) (scheduled * (1 - band)) - 1)
                .isLessThanOrEqualTo((long) (Math.max(scheduled, asked) * (1 + band)) + 1);
    }

    @Property(tries = 500)
    void aTerminalDecisionIsFinal(@ForAll("policies") Policy policy,
            @ForAll @Size(max = 30) List<@From("answers") Answer> answers,
            @ForAll @Size(min = 1, max = 5) List<@From("answers") Answer> afterwards) {
        List<Step> life = live(policy, answers, Duration.ZERO);
        RetryRules.Finish end = (RetryRules.Finish) life.getLast().decision();
        DrivenRetry retry = newRetry(policy);
        assertThat(retry.finish(end.status(), life.getLast().at(), end.error())).isTrue();

        // whatever comes late (an answer, a timer, a claim), the retry stays as it ended
        RetryRules rules = rulesOf(policy);
        Instant later = life.getLast().at().plusSeconds(1);
        for (Answer late : afterwards) {
            RetryRules.State state = retry.rulesState();
            if (rules.beforeAttempt(state, later) instanceof RetryRules.AttemptNow attempt) {
                assertThat(retry.startAttempt(attempt.number(), later)).as("start after the end").isFalse();
            }
            if (rules.after(state, execution(late, later), false, later) instanceof RetryRules.WaitUntil wait) {
                assertThat(retry.waitUntil(wait.at(), wait.reason())).as("wait after the end").isFalse();
            }
            assertThat(retry.finish(RetryStatus.FAILED, later, null)).as("second end").isFalse();
            assertThat(retry.status()).isEqualTo(end.status());
        }
    }

    /** Plays a retry's life: each attempt gets the next answer, and a success once they are used up. */
    private static List<Step> live(Policy policy, List<Answer> answers, Duration timerLateness) {
        RetryRules rules = rulesOf(policy);
        DrivenRetry retry = newRetry(policy);
        List<Step> life = new ArrayList<>();
        Instant now = retry.nextAttemptAt();
        int next = 0;
        // holds use no attempt, so the deadline ends a life of holds; the bound only guards the test itself
        for (int turn = 0; turn < 10_000; turn++) {
            RetryRules.Decision due = rules.beforeAttempt(retry.rulesState(), now);
            if (!(due instanceof RetryRules.AttemptNow attempt)) {
                life.add(new Step(now, due, null));
                return life;
            }
            Answer answer = next < answers.size() ? answers.get(next++) : new Success();
            life.add(new Step(now, attempt, answer));
            assertThat(retry.startAttempt(attempt.number(), now)).isTrue();
            Execution execution = execution(answer, now);
            if (!(execution instanceof Execution.Held)) {
                Attempt ended = execution instanceof Execution.Refused refused
                        ? new Attempt(attempt.number(), now, 1, refused.httpStatus(), refused.outcome())
                        : new Attempt(attempt.number(), now, 1, 200, AttemptOutcome.SUCCESS);
                retry.recordAttempt(ended, execution instanceof Execution.Refused refused ? refused.error() : null);
            }
            RetryRules.Decision decision = rules.after(retry.rulesState(), execution, attempt.repeat(), now);
            switch (decision) {
                case RetryRules.Finish finish -> {
                    retry.finish(finish.status(), now, finish.error());
                    life.add(new Step(now, finish, null));
                    return life;
                }
                case RetryRules.WaitUntil wait -> {
                    retry.waitUntil(wait.at(), wait.reason());
                    life.add(new Step(now, wait, null));
                    now = wait.at().plus(timerLateness);
                }
                case RetryRules.AttemptNow unexpected -> throw new AssertionError("after an answer: " + unexpected);
            }
        }
        throw new AssertionError("the retry never ended: " + life.getLast());
    }

    /** The policy's rules, with its own seeded jitter. */
    private static RetryRules rulesOf(Policy policy) {
        return new RetryRules(policy.retry(), Duration.ofSeconds(1), new SplittableRandom(policy.seed()));
    }

    private static DrivenRetry newRetry(Policy policy) {
        return new DrivenRetry(new Submission("action", "run", JsonNodeFactory.instance.objectNode(), false), ACCEPTED,
                policy.retry().maxDuration(), rulesOf(policy).firstAttemptAt(ACCEPTED));
    }

    private static Execution execution(Answer answer, Instant now) {
        LastError error = new LastError(null, "test", "an answer of the test", null);
        return switch (answer) {
            case Success ignored -> new Execution.Succeeded(200, null, null);
            case Refusal refusal -> new Execution.Refused(refusal.httpStatus(), AttemptOutcome.SERVER_ERROR,
                    refusal.retryable(), refusal.retryAfter(), error);
            case Hold hold -> new Execution.Held(Execution.HeldBy.CIRCUIT_OPEN, hold.notBefore().map(now::plus), error);
        };
    }

    private static LastError maxDurationReached(List<Step> life) {
        return ((RetryRules.Finish) life.getLast().decision()).error();
    }

    @Provide
    Arbitrary<Policy> policies() {
        Arbitrary<Duration> base = Arbitraries.longs().between(1, 2_000).map(Duration::ofMillis);
        Arbitrary<Duration> max = Arbitraries.longs().between(1, 60_000).map(Duration::ofMillis);
        Arbitrary<Double> factor = Arbitraries.doubles().between(1, 4);
        Arbitrary<Double> jitter = Arbitraries.doubles().between(0, 1);
        Arbitrary<Integer> maxAttempts = Arbitraries.integers().between(1, 10);
        Arbitrary<Duration> maxRetryAfter = Arbitraries.longs().between(0, 120).map(Duration::ofSeconds);
        Arbitrary<Duration> maxDuration = Arbitraries.longs().between(1, 600).map(Duration::ofSeconds);
        return Combinators.combine(base, max, factor, jitter, maxAttempts, maxRetryAfter, maxDuration,
                Arbitraries.longs()).as(
                        (b, m, f, j, attempts, cap, duration, seed) -> new Policy(
                                RetryPolicies.of(b, m.compareTo(b) < 0 ? b : m, f, j, attempts, cap, duration), seed));
    }

    @Provide
    Arbitrary<Answer> answers() {
        Arbitrary<Integer> status = Arbitraries.of(401, 408, 429, 500, 502, 503, 504);
        Arbitrary<Answer> retryable = Combinators.combine(status.injectNull(0.2), retryAfters())
                .as((code, after) -> new Refusal(code, code == null || code != 401, after));
        Arbitrary<Answer> final4xx = Arbitraries.of(400, 403, 404).map(code -> new Refusal(code, false, Optional.empty()));
        Arbitrary<Answer> held = retryAfters().map(Hold::new);
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(new Success())), Tuple.of(8, retryable),
                Tuple.of(1, final4xx), Tuple.of(2, held));
    }

    @Provide
    Arbitrary<Optional<Duration>> retryAfters() {
        return Arbitraries.longs().between(0, 180_000).map(Duration::ofMillis).optional(0.5);
    }
}
