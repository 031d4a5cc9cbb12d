package dev.dataaction.retry.pipeline;

import java.time.Duration;

import dev.dataaction.retry.config.OrchestratorConfig;

/** One action's retry policy: the service's, with what {@code orchestrator.actions."<actionId>".retry} changes in place. */
record ActionRetryPolicy(Duration baseDelay, Duration maxDelay, double backoffFactor, int maxAttempts, double jitterFactor,
        Duration maxRetryAfter, Duration maxDuration) implements OrchestratorConfig.RetryPolicy {

    static ActionRetryPolicy of(OrchestratorConfig.RetryPolicy defaults, OrchestratorConfig.RetryOverrides action) {
        return new ActionRetryPolicy(action.baseDelay().orElse(defaults.baseDelay()),
                action.maxDelay().orElse(defaults.maxDelay()),
                action.backoffFactor().orElse(defaults.backoffFactor()),
                action.maxAttempts().orElse(defaults.maxAttempts()),
                action.jitterFactor().orElse(defaults.jitterFactor()),
                action.maxRetryAfter().orElse(defaults.maxRetryAfter()),
                action.maxDuration().orElse(defaults.maxDuration()));
    }
}
