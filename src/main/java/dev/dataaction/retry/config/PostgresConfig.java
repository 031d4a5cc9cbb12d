package dev.dataaction.retry.config;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.WithDefault;

/** Leases and housekeeping of the {@code postgres} store. */
public interface PostgresConfig {

    /**
     * How long a replica that is alive may keep a waiting retry past its due time before another replica may take it
     * (a safety net: a live replica makes its attempts on time). An attempt on the wire is never taken from a replica
     * that is alive, however long Genesys takes to answer.
     */
    @WithDefault("90s")
    @DurationMin(seconds = 1)
    Duration lease();

    /**
     * How old a replica's heartbeat (written with each look for due retries) may be before the replica is taken for
     * dead and the others take over its retries, attempts that were on the wire included. It must exceed the poll
     * interval by a wide margin, or a replica slowed down for a moment would lose its retries.
     */
    @WithDefault("15s")
    @DurationMin(seconds = 1)
    Duration replicaTimeout();

    /** How often each replica looks for due retries that no replica holds. */
    @WithDefault("1s")
    @DurationMin(millis = 10)
    Duration pollInterval();

    /**
     * How far ahead of their due time retries are claimed, so that each starts on its own timer exactly when due. A
     * retry waiting longer than this is handed back to the database until then.
     */
    @WithDefault("5s")
    @DurationMin(millis = 10)
    Duration claimAhead();

    /**
     * How long connecting to the database, or waiting for a free connection, may take before the operation fails (a
     * submission then gets 503).
     */
    @WithDefault("5s")
    @DurationMin(millis = 1)
    Duration connectTimeout();

    /**
     * How long one statement may go unanswered, waiting for a connection included, before the operation fails: a
     * database that accepts connections but does not answer (a lock held elsewhere, a network that drops packets) then
     * gets a submission 503 instead of a hanging request, and does not stop this replica from looking for due
     * retries. Keep it above {@code connect-timeout}, so that a database that cannot be reached at all is told apart
     * from one whose answer is late (after which a write may still be applied).
     */
    @WithDefault("10s")
    @DurationMin(millis = 1)
    Duration queryTimeout();

    /** Retries claimed at most per look. */
    @WithDefault("50")
    @Min(1)
    int claimBatch();

    /** Finished retries deleted per statement by the purge job. */
    @WithDefault("1000")
    @Min(1)
    int purgeBatch();
}
