package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;

/**
 * The rules each action's retries follow: {@code orchestrator.retry}, with what {@code orchestrator.actions."<actionId>".retry}
 * changes for that action (a payment action may get one attempt, a CRM lookup eight).
 */
@ApplicationScoped
class ActionRules {

    private final RetryRules defaults;
    private final Map<String, RetryRules> byAction;

    ActionRules(OrchestratorConfig config) {
        // every draw from the calling thread's own generator
        RandomGenerator jitter = () -> ThreadLocalRandom.current().nextLong();
        Duration claimAhead = config.postgres().claimAhead();
        this.defaults = new RetryRules(config.retry(), claimAhead, jitter);
        this.byAction = config.actions().entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                action -> new RetryRules(ActionRetryPolicy.of(config.retry(), action.getValue().retry()), claimAhead, jitter)));
    }

    /** The rules of {@code actionId}'s retries. */
    RetryRules of(String actionId) {
        return byAction.getOrDefault(actionId, defaults);
    }
}
