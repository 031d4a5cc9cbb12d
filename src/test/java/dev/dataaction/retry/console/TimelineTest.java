package dev.dataaction.retry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;

/** A retry's attempts as the console shows them: each with the wait that followed it and why. */
class TimelineTest {

    private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void theWaitRunsFromTheEndOfAnAttemptToTheStartOfTheNext() {
        List<Timeline.Step> steps = Timeline.of(List.of(
                new Attempt(1, START, 250, 503, AttemptOutcome.SERVER_ERROR),
                new Attempt(2, START.plusMillis(250 + 1_800), 120, 429, AttemptOutcome.RATE_LIMITED),
                new Attempt(3, START.plusSeconds(65), 90, 200, AttemptOutcome.SUCCESS)));

        assertThat(steps).extracting(Timeline.Step::number).containsExactly(1, 2, 3);
        assertThat(steps.get(0).followedBy()).isEqualTo("1.8 s of backoff after a server error");
        assertThat(steps.get(1).followedBy()).startsWith("1 min 2 s ").contains("rate-limited");
        assertThat(steps.get(2).followedBy()).as("nothing followed the last attempt").isEmpty();
        assertThat(steps.get(0).duration()).isEqualTo("250 ms");
        assertThat(steps.get(0).httpStatus()).isEqualTo("503");
        assertThat(steps.get(2).startedAt()).isEqualTo("2026-12-06 10:01:05Z");
    }

    @Test
    void anAttemptWithoutAnswerSaysSo() {
        List<Timeline.Step> steps = Timeline.of(List.of(
                new Attempt(1, START, 2_000, null, AttemptOutcome.TIMEOUT),
                new Attempt(2, START.plusSeconds(3), 40, 200, AttemptOutcome.SUCCESS)));

        assertThat(steps.getFirst().httpStatus()).isEqualTo("no answer");
        assertThat(steps.getFirst().followedBy()).isEqualTo("1.0 s of backoff after no answer came in time");
    }

    @Test
    void aRefusedTokenIsRepeatedUnderTheSameNumber() {
        List<Timeline.Step> steps = Timeline.of(List.of(
                new Attempt(1, START, 30, 401, AttemptOutcome.AUTH_REJECTED),
                new Attempt(1, START.plusMillis(80), 40, 200, AttemptOutcome.SUCCESS)));

        assertThat(steps).extracting(Timeline.Step::number).containsExactly(1, 1);
        assertThat(steps.getFirst().followedBy()).isEqualTo("50 ms before repeating it with a fresh token");
    }
}
