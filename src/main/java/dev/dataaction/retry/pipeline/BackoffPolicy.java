package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.dataaction.retry.config.OrchestratorConfig;

/**
 * The wait before each attempt: {@code min(base-delay × backoff-factor^(n-1), max-delay)}, spread uniformly by ±
 * {@code jitter-factor} of itself so that retries that failed together do not return together. A Retry-After from Genesys
 * is a floor that may exceed max-delay; the spread above it only ever adds.
 */
final class BackoffPolicy {

    private final OrchestratorConfig.RetryPolicy config;

    BackoffPolicy(OrchestratorConfig.RetryPolicy config) {
        this.config = config;
    }

    /**
     * The delay before attempt {@code attempt} (1-based), honouring {@code retryAfter} when Genesys sent one.
     *
     * @param random draws the jitter
     */
    Duration delayBefore(int attempt, Optional<Duration> retryAfter, RandomGenerator random) {
        double jitter = config.jitterFactor() * (2 * random.nextDouble() - 1);
        double scheduledNanos = scheduledNanos(attempt);
        long delay = (long) (scheduledNanos * (1 + jitter));
        if (retryAfter.isPresent() && retryAfter.get().toNanos() >= delay) {
            long floor = retryAfter.get().toNanos();
            delay = floor + (long) (floor * Math.abs(jitter));
        }
        return Duration.ofNanos(delay);
    }

    /** The delay before attempt {@code attempt} without jitter. */
    Duration scheduled(int attempt) {
        return Duration.ofNanos((long) scheduledNanos(attempt));
    }

    private double scheduledNanos(int attempt) {
        double grown = config.baseDelay().toNanos() * Math.pow(config.backoffFactor(), attempt - 1);
        return Math.min(grown, config.maxDelay().toNanos());
    }
}
