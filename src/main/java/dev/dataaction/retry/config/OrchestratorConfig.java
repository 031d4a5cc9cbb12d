package dev.dataaction.retry.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Positive;

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
    RetryPolicy retry();

    /** The per-action circuit breakers. */
    CircuitBreaker circuitBreaker();

    /** The bound on retries held by this instance. */
    Queue queue();

    /** What the whole service sends to Genesys at most, every replica together. */
    Limits limits();

    /**
     * Settings of single actions, by action id ({@code orchestrator.actions."<actionId>".max-concurrent}): their own
     * limits and retry policy.
     */
    Map<String, Action> actions();

    /**
     * Where accepted retries are kept: {@code memory} (the default; lost on restart, one instance only) or
     * {@code postgres} (durable, shared by every replica).
     */
    @WithDefault("memory")
    StoreKind store();

    /** How replicas share the retries of the {@code postgres} store. */
    PostgresConfig postgres();

    /** The observability webhook that hears of every retry's outcome. */
    Webhook webhook();

    /** Access control of the {@code /v1} API. */
    Auth auth();

    /**
     * API keys accepted in the {@code X-API-Key} header and at the console's sign-in; several may be valid at once so
     * that keys can be rotated. Each entry is {@code key}, {@code label=key} or {@code label:role=key}, the role being
     * {@code operator} (the default) or {@code viewer} (read only). Set through {@code ORCHESTRATOR_API_KEYS}
     * (comma-separated) from a secret, never in committed configuration.
     */
    Optional<List<String>> apiKeys();

    /** The operator console under {@code /console}. */
    Console console();

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
    interface RetryPolicy {

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

    /** Limits on attempts towards Genesys. */
    interface Limits {

        /** Attempts on the wire at once. */
        @WithDefault("10")
        @Min(1)
        int maxConcurrent();

        /** Attempts started per second; unset, only the concurrency bounds them. */
        Optional<@Positive Double> maxPerSecond();

        /** Actions whose state is kept for {@code GET /v1/actions}; the least recently seen idle one is forgotten beyond it. */
        @WithDefault("1000")
        @Min(1)
        int trackedActions();

        /**
         * How long a dry run ({@code POST /v1/retries/{id}/test}) waits for a slot under these limits, as an attempt
         * would; beyond it, the dry run is refused with 429 and this as its Retry-After.
         */
        @WithDefault("10s")
        @DurationMin(millis = 1)
        Duration dryRunWait();
    }

    /** One action's own settings; whatever is unset follows the service's. */
    interface Action {

        /** Attempts of this action on the wire at once, within the service's limit. */
        Optional<@Min(1) Integer> maxConcurrent();

        /** Attempts of this action started per second, within the service's limit. */
        Optional<@Positive Double> maxPerSecond();

        /** This action's retry policy. */
        RetryOverrides retry();
    }

    /** What one action changes of {@code orchestrator.retry}; the meaning of each member is the same. */
    interface RetryOverrides {

        Optional<@DurationMin(millis = 0) Duration> baseDelay();

        Optional<@DurationMin(millis = 0) Duration> maxDelay();

        Optional<@DecimalMin("1") Double> backoffFactor();

        Optional<@Min(1) Integer> maxAttempts();

        Optional<@DecimalMin("0") @DecimalMax("1") Double> jitterFactor();

        Optional<@DurationMin(millis = 0) Duration> maxRetryAfter();

        Optional<@DurationMin(millis = 1) Duration> maxDuration();
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

    /** Access control of the {@code /v1} API. */
    interface Console {

        /** Whether the service serves the console; when off, {@code /console} answers 404. */
        @WithDefault("true")
        boolean enabled();

        /** How long a console session lasts after signing in, whatever is done with it. */
        @WithDefault("8h")
        @DurationMin(millis = 60_000)
        Duration sessionTimeout();
    }

    interface Auth {

        /**
         * Whether the API requires an API key. In production, start-up fails when it is enabled and no key is configured;
         * turning it off is a deliberate choice for a service reachable only by trusted callers.
         */
        @WithDefault("true")
        boolean enabled();
    }
}
