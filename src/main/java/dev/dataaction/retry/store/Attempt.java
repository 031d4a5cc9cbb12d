package dev.dataaction.retry.store;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One call to Genesys. A 401 that was repeated with a fresh token shows as two entries with the same {@code number}.
 *
 * @param httpStatus the status Genesys answered, or {@code null} when no answer came (timeout, network error)
 */
@RegisterForReflection // read and written with Jackson by PostgresRetryStore (jsonb), out of Quarkus' sight
public record Attempt(int number, Instant startedAt, long durationMs, Integer httpStatus, AttemptOutcome outcome) {
}
