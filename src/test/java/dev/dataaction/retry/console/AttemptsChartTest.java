package dev.dataaction.retry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.store.AttemptCount;
import dev.dataaction.retry.store.AttemptOutcome;

/** The overview's chart: one column a minute over the last hour, stacked by how attempts ended, scaled to the busiest. */
class AttemptsChartTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:30:42Z");

    @Test
    void theHourEndsWithTheCurrentMinute() {
        AttemptsChart chart = AttemptsChart.of(List.of(), NOW);

        assertThat(chart.columns()).hasSize(60);
        assertThat(chart.columns().getFirst().title()).isEqualTo("09:31: no attempts");
        assertThat(chart.columns().getLast().title()).isEqualTo("10:30: no attempts");
        assertThat(chart.total()).isZero();
    }

    @Test
    void theBusiestMinuteFillsTheHeightAndTheOthersScaleToIt() {
        AttemptsChart chart = AttemptsChart.of(List.of(
                new AttemptCount(Instant.parse("2026-12-06T10:30:00Z"), AttemptOutcome.SUCCESS, 30),
                new AttemptCount(Instant.parse("2026-12-06T10:30:00Z"), AttemptOutcome.RATE_LIMITED, 10),
                new AttemptCount(Instant.parse("2026-12-06T10:00:00Z"), AttemptOutcome.SERVER_ERROR, 10),
                new AttemptCount(Instant.parse("2026-12-06T10:00:00Z"), AttemptOutcome.TIMEOUT, 10)), NOW);

        AttemptsChart.Column busiest = chart.columns().getLast();
        AttemptsChart.Column halfAsBusy = chart.columns().get(29);
        assertThat(chart.peak()).isEqualTo(40);
        assertThat(chart.total()).isEqualTo(60);
        assertThat(busiest.segments()).extracting(AttemptsChart.Segment::kind)
                .containsExactly(AttemptsChart.Kind.SUCCEEDED, AttemptsChart.Kind.RATE_LIMITED);
        assertThat(busiest.segments().stream().mapToInt(AttemptsChart.Segment::height).sum())
                .isEqualTo(AttemptsChart.HEIGHT);
        assertThat(busiest.segments().getLast().y()).as("the top of the stack").isZero();
        assertThat(halfAsBusy.segments()).singleElement().satisfies(segment -> {
            assertThat(segment.kind()).as("5xx and timeouts are both transient").isEqualTo(AttemptsChart.Kind.TRANSIENT);
            assertThat(segment.height()).isEqualTo(AttemptsChart.HEIGHT / 2);
        });
        assertThat(busiest.title()).isEqualTo("10:30: 30 succeeded, 10 rate limited");
    }

    @Test
    void attemptsOutsideTheHourAreLeftOut() {
        AttemptsChart chart = AttemptsChart.of(List.of(
                new AttemptCount(Instant.parse("2026-12-06T09:30:00Z"), AttemptOutcome.SUCCESS, 5),
                new AttemptCount(Instant.parse("2026-12-06T09:31:00Z"), AttemptOutcome.CLIENT_ERROR, 2)), NOW);

        assertThat(chart.total()).isEqualTo(2);
        assertThat(chart.columns().getFirst().segments()).singleElement()
                .extracting(AttemptsChart.Segment::kind).isEqualTo(AttemptsChart.Kind.FINAL);
    }

    @Test
    void aSingleAttemptAmongManyStillShows() {
        AttemptsChart chart = AttemptsChart.of(List.of(
                new AttemptCount(Instant.parse("2026-12-06T10:29:00Z"), AttemptOutcome.SUCCESS, 1_000),
                new AttemptCount(Instant.parse("2026-12-06T10:28:00Z"), AttemptOutcome.AUTH_REJECTED, 1)), NOW);

        assertThat(chart.columns().get(57).segments()).singleElement()
                .satisfies(segment -> assertThat(segment.height()).isPositive());
    }
}
