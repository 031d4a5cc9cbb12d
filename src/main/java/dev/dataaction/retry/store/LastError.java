package dev.dataaction.retry.store;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The most recent error of a retry, as Genesys described it in its error body. It never carries request headers, tokens
 * or payloads.
 *
 * @param httpStatus the HTTP status, or {@code null} when no answer came
 * @param code Genesys' error code ({@code bad.request}, {@code too.many.requests}) or one of ours
 *        ({@code timeout}, {@code network.error}, {@code token.unavailable}, {@code circuit.open},
 *        {@code retry-after.too.long}, {@code max-duration.reached})
 * @param message a short human-readable description
 * @param contextId Genesys' correlation id for its support, when it sent one
 */
@RegisterForReflection // read and written with Jackson by PostgresRetryStore (jsonb), out of Quarkus' sight
public record LastError(Integer httpStatus, String code, String message, String contextId) {
}
