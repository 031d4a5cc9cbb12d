package dev.dataaction.retry.genesys;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

/**
 * When the retries held by an open breaker come back: its half-open instant plus a uniform share of jitter-factor ×
 * reset-delay, so that they do not all ask at the instant only one of them can be let through.
 */
class BreakerSpreadTest {

    private static final Instant HALF_OPENS = Instant.parse("2026-11-28T10:00:15Z");
    private static final Duration RESET_DELAY = Duration.ofSeconds(15);

    @Property
    void comesBackWithinTheJitterBandAfterTheHalfOpenInstant(@ForAll @DoubleRange(min = 0, max = 1) double jitterFactor,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double uniform,
            @ForAll @LongRange(min = 1, max = 3_600_000) long resetDelayMillis) {
        Duration resetDelay = Duration.ofMillis(resetDelayMillis);

        Instant back = ActionBreakers.spreadAfter(HALF_OPENS, resetDelay, jitterFactor, uniform);

        assertThat(back).isAfterOrEqualTo(HALF_OPENS)
                .isBeforeOrEqualTo(HALF_OPENS.plusNanos((long) (resetDelay.toNanos() * jitterFactor)));
    }

    @Test
    void theDefaultsSpreadTheWaitersOverASecondAndAHalf() {
        // orchestrator.retry.jitter-factor 0.1 and orchestrator.circuit-breaker.reset-delay 15s
        assertThat(ActionBreakers.spreadAfter(HALF_OPENS, RESET_DELAY, 0.1, 0)).isEqualTo(HALF_OPENS);
        assertThat(ActionBreakers.spreadAfter(HALF_OPENS, RESET_DELAY, 0.1, 0.5))
                .isEqualTo(HALF_OPENS.plusMillis(750));
        assertThat(ActionBreakers.spreadAfter(HALF_OPENS, RESET_DELAY, 0.1, 0.999_999))
                .isBetween(HALF_OPENS.plusMillis(1499), HALF_OPENS.plusMillis(1500));
    }

    @Test
    void waitersDrawnAtRandomComeBackAtDifferentInstants() {
        Set<Instant> instants = IntStream.range(0, 100)
                .mapToObj(n -> ActionBreakers.spreadAfter(HALF_OPENS, RESET_DELAY, 0.1, n / 100.0))
                .collect(Collectors.toSet());

        assertThat(instants).hasSize(100);
    }

    @Test
    void withoutJitterEveryWaiterComesBackAtTheHalfOpenInstant() {
        assertThat(ActionBreakers.spreadAfter(HALF_OPENS, RESET_DELAY, 0, 0.7)).isEqualTo(HALF_OPENS);
    }
}
