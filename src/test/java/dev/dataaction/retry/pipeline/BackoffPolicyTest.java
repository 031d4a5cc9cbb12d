package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.dataaction.retry.config.OrchestratorConfig;

/** The delay formula on its own: {@code min(base × factor^(n-1), max) ± jitter}, and Retry-After as a floor. */
class BackoffPolicyTest {

    private static final int SAMPLES = 20_000;

    /** The test profile's schedule: 100 ms doubling up to 400 ms, ±10 %. */
    private final BackoffPolicy policy = new BackoffPolicy(config(Duration.ofMillis(100), Duration.ofMillis(400), 2, 0.1));

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
        BackoffPolicy exact = new BackoffPolicy(config(Duration.ofSeconds(1), Duration.ofSeconds(30), 3, 0));

        assertThat(IntStream.rangeClosed(1, 6).mapToObj(n -> exact.delayBefore(n, Optional.empty())))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(27),
                        Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    @Test
    void hugeAttemptNumbersAreCappedAtMaxDelay() {
        assertThat(policy.scheduled(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(400));
        assertThat(policy.delayBefore(5_000, Optional.empty())).isBetween(Duration.ofMillis(360), Duration.ofMillis(440));
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
        return IntStream.range(0, SAMPLES).mapToLong(i -> policy.delayBefore(attempt, retryAfter).toNanos())
                .summaryStatistics();
    }

    /**
     * The configuration, as a dynamic proxy: a class implementing the mapping would carry its validation constraints into
     * the application's bean index, where Quarkus refuses them.
     */
    private static OrchestratorConfig config(Duration base, Duration max, double factor, double jitter) {
        Map<String, Object> values = Map.of("baseDelay", base, "maxDelay", max, "backoffFactor", factor, "jitterFactor",
                jitter, "maxAttempts", 4, "maxRetryAfter", Duration.ofSeconds(3), "maxDuration", Duration.ofSeconds(20));
        OrchestratorConfig.Retry retry = proxy(OrchestratorConfig.Retry.class, values);
        return proxy(OrchestratorConfig.class, Map.of("retry", retry));
    }

    private static <T> T proxy(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (self, method, args) -> {
            if (!values.containsKey(method.getName())) {
                throw new UnsupportedOperationException(method.getName() + " is not used by the backoff policy");
            }
            return values.get(method.getName());
        }));
    }
}
