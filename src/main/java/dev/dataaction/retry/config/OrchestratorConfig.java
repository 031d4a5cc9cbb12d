package dev.dataaction.retry.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Tunables of the retry orchestrator. Every member can also be set through the usual Quarkus environment-variable form
 * ({@code ORCHESTRATOR_RETRY_BASE_DELAY=2s}). Invalid values stop start-up with a message naming the key.
 */
@ConfigMapping(prefix = "orchestrator")
public interface OrchestratorConfig {

    /** How retries are paced and when they give up. */
    Retry retry();

    /** The per-action circuit breakers. */
    CircuitBreaker circuitBreaker();

    /** The bound on retries held by this instance. */
    Queue queue();

    /**
     * Where accepted retries are kept: {@code memory} (the default; lost on restart, one instance only) or
     * {@code postgres} (durable, shared by every replica).
     */
    @WithDefault("memory")
    StoreKind store();

    /** How replicas share the retries of the {@code postgres} store. */
    Postgres postgres();

    /** The observability webhook that hears of every retry's outcome. */
    Webhook webhook();

    /** Access control of the {@code /v1} API. */
    Auth auth();

    /**
     * API keys accepted in the {@code X-API-Key} header; several may be valid at once so that keys can be rotated. Set
     * through {@code ORCHESTRATOR_API_KEYS} (comma-separated) from a secret, never in committed configuration.
     */
    Optional<List<String>> apiKeys();

    /** How long a finished retry stays queryable. */
    @WithDefault("24h")
    @DurationMin(millis = 0)
    Duration retention();

    /** How often finished retries past their retention are forgotten. */
    @WithDefault("1m")
    @DurationMin(millis = 1_000)
    Duration purgeInterval();

    /** How many finished retries are kept at most; the oldest are forgotten first. */
    @WithDefault("10000")
    @Min(0)
    int retentionMaxRecords();

    /** Backoff schedule and limits. */
    interface Retry {

        /** Delay before the first attempt, and the base of the exponential schedule. */
        @WithDefault("1s")
        @DurationMin(millis = 0)
        Duration baseDelay();

        /** Upper bound of the computed delay (a Retry-After from Genesys may exceed it). */
        @WithDefault("30s")
        @DurationMin(millis = 0)
        Duration maxDelay();

        /** Growth of the delay from one attempt to the next. */
        @WithDefault("2")
        @DecimalMin("1")
        double backoffFactor();

        /** Attempts before a retry that keeps failing transiently is EXHAUSTED. */
        @WithDefault("5")
        @Min(1)
        int maxAttempts();

        /** Each delay is spread uniformly by plus or minus this fraction of itself. */
        @WithDefault("0.1")
        @DecimalMin("0")
        @DecimalMax("1")
        double jitterFactor();

        /** Longest Retry-After that is honoured; a longer one ends the retry as EXHAUSTED. */
        @WithDefault("120s")
        @DurationMin(millis = 0)
        Duration maxRetryAfter();

        /** Time from acceptance after which a retry that has not succeeded is EXHAUSTED. */
        @WithDefault("10m")
        @DurationMin(millis = 1)
        Duration maxDuration();
    }

    /** One breaker per action id, so one broken integration does not stop the others. */
    interface CircuitBreaker {

        /** Consecutive retryable failures of one action that open its breaker. */
        @WithDefault("3")
        @Min(1)
        int failureThreshold();

        /** How long an open breaker stays open before it lets one trial call through. */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration resetDelay();

        /** Breakers kept at most; the least recently used closed one is forgotten beyond it. */
        @WithDefault("1000")
        @Min(1)
        int maxBreakers();
    }

    /** The bound on unfinished retries. */
    interface Queue {

        /** Unfinished retries this instance holds at most; beyond it new ones are refused with 429. */
        @WithDefault("50")
        @Min(1)
        int maxDepth();

        /**
         * With the {@code postgres} store: unfinished retries accepted at most, counted across every replica; beyond it new
         * ones are refused with 429.
         */
        @WithDefault("10000")
        @Min(1)
        int maxBacklog();

        /** The Retry-After sent with a 429 when the queue is full. */
        @WithDefault("5s")
        @DurationMin(seconds = 1)
        Duration retryAfter();
    }

    /** Where outcomes are posted, and how. */
    interface Webhook {

        /** The receiver's URL; unset disables the webhook. Also {@code OBSERVABILITY_WEBHOOK_URL}. */
        Optional<String> url();

        /** How long one delivery may take, connection included. */
        @WithDefault("3s")
        @DurationMin(millis = 1)
        Duration timeout();

        /** Deliveries of one event at most, the first included; each failure is logged as WEBHOOK_FAILURE. */
        @WithDefault("3")
        @Min(1)
        int maxAttempts();

        /** Events waiting for delivery at most; beyond it new events are dropped and logged, never queued unbounded. */
        @WithDefault("1000")
        @Min(1)
        int maxPending();

        /** Key of the HMAC-SHA256 signature sent in {@code X-Orchestrator-Signature}; unset sends no signature. */
        Optional<String> secret();
    }

    /** The kinds of store. */
    enum StoreKind {
        MEMORY,
        POSTGRES
    }

    /** Leases and housekeeping of the {@code postgres} store. */
    interface Postgres {

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

    /** Access control of the {@code /v1} API. */
    interface Auth {

        /**
         * Whether the API requires an API key. In production, start-up fails when it is enabled and no key is configured;
         * turning it off is a deliberate choice for a service reachable only by trusted callers.
         */
        @WithDefault("true")
        boolean enabled();
    }
}
