package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The delay formula on its own: {@code min(base × factor^(n-1), max) ± jitter}, and Retry-After as a floor. */
class BackoffPolicyTest {

    private static final int SAMPLES = 20_000;
    private static final RandomGenerator RANDOM = new SplittableRandom(20_261_206);

    /** The test profile's schedule: 100 ms doubling up to 400 ms, ±10 %. */
    private final BackoffPolicy policy = new BackoffPolicy(RetryPolicies.testProfile());

    @ParameterizedTest(name = "attempt {0} waits {1} ms ± 10 %")
    @CsvSource({ "1, 100", "2, 200", "3, 400", "4, 400", "10, 400", "100, 400" })
    void delayStaysWithinTheJitterBandOfTheSchedule(int attempt, long scheduledMillis) {
        assertThat(policy.scheduled(attempt)).isEqualTo(Duration.ofMillis(scheduledMillis));

        LongSummaryStatistics nanos = samples(attempt, Optional.empty());

        long scheduled = Duration.ofMillis(scheduledMillis).toNanos();
        assertThat(nanos.getMin()).isGreaterThanOrEqualTo((long) (scheduled * 0.9) - 1);
        assertThat(nanos.getMax()).isLessThanOrEqualTo((long) (scheduled * 1.1) + 1);
        // the jitter is really spread over the whole band, centred on the schedule
        assertThat(nanos.getMin()).isLessThan((long) (scheduled * 0.92));
        assertThat(nanos.getMax()).isGreaterThan((long) (scheduled * 1.08));
        assertThat(nanos.getAverage()).isBetween(scheduled * 0.98, scheduled * 1.02);
    }

    @Test
    void withoutJitterEveryDelayIsExactlyTheSchedule() {
        BackoffPolicy exact = new BackoffPolicy(
                RetryPolicies.of(Duration.ofSeconds(1), Duration.ofSeconds(30), 3, 0, 4, Duration.ofSeconds(3),
                        Duration.ofSeconds(20)));

        assertThat(IntStream.rangeClosed(1, 6).mapToObj(n -> exact.delayBefore(n, Optional.empty(), RANDOM)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(27),
                        Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    @Test
    void hugeAttemptNumbersAreCappedAtMaxDelay() {
        assertThat(policy.scheduled(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.delayBefore(5_000, Optional.empty(), RANDOM)).isBetween(Duration.ofMillis(360),
                Duration.ofMillis(440));
    }

    @Test
    void retryAfterBeyondMaxDelayIsAFloorAndJitterOnlyAdds() {
        Duration retryAfter = Duration.ofSeconds(2);

        LongSummaryStatistics nanos = samples(2, Optional.of(retryAfter));

        assertThat(nanos.getMin()).isGreaterThanOrEqualTo(retryAfter.toNanos());
        assertThat(nanos.getMax()).isLessThanOrEqualTo((long) (retryAfter.toNanos() * 1.1) + 1);
        assertThat(nanos.getMax()).isGreaterThan((long) (retryAfter.toNanos() * 1.05));
    }

    @Test
    void retryAfterShorterThanTheScheduleChangesNothing() {
        LongSummaryStatistics nanos = samples(3, Optional.of(Duration.ofMillis(10)));

        assertThat(nanos.getMin()).isGreaterThanOrEqualTo(Duration.ofMillis(360).toNanos() - 1);
        assertThat(nanos.getMax()).isLessThanOrEqualTo(Duration.ofMillis(440).toNanos() + 1);
    }

    @Test
    void retryAfterInsideTheJitterBandIsStillAFloor() {
        Duration retryAfter = Duration.ofMillis(205);

        LongSummaryStatistics nanos = samples(2, Optional.of(retryAfter));

        assertThat(nanos.getMin()).isGreaterThanOrEqualTo(retryAfter.toNanos());
        assertThat(nanos.getMax()).isLessThanOrEqualTo((long) (retryAfter.toNanos() * 1.1) + 1);
    }

    @Test
    void zeroRetryAfterFallsBackToTheSchedule() {
        LongSummaryStatistics nanos = samples(1, Optional.of(Duration.ZERO));

        assertThat(nanos.getMin()).isGreaterThanOrEqualTo(Duration.ofMillis(90).toNanos() - 1);
        assertThat(nanos.getMax()).isLessThanOrEqualTo(Duration.ofMillis(110).toNanos() + 1);
    }

    private LongSummaryStatistics samples(int attempt, Optional<Duration> retryAfter) {
        return IntStream.range(0, SAMPLES).mapToLong(i -> policy.delayBefore(attempt, retryAfter, RANDOM).toNanos())
                .summaryStatistics();
    }
}
