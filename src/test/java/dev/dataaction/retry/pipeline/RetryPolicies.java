package dev.dataaction.retry.pipeline;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import dev.dataaction.retry.config.OrchestratorConfig;

/**
 * Retry policies for the rules' plain tests, as dynamic proxies: a class implementing the mapping would carry its
 * validation constraints into the application's bean index, where Quarkus refuses them.
 */
final class RetryPolicies {

    private RetryPolicies() {
    }

    /** The test profile's schedule: 100 ms doubling up to 400 ms, ±10 %; 4 attempts, Retry-After up to 3 s, 20 s in all. */
    static OrchestratorConfig.RetryPolicy testProfile() {
        return of(Duration.ofMillis(100), Duration.ofMillis(400), 2, 0.1, 4, Duration.ofSeconds(3), Duration.ofSeconds(20));
    }

    static OrchestratorConfig.RetryPolicy of(Duration base, Duration max, double factor, double jitter, int maxAttempts,
            Duration maxRetryAfter, Duration maxDuration) {
        Map<String, Object> values = Map.of("baseDelay", base, "maxDelay", max, "backoffFactor", factor, "jitterFactor",
                jitter, "maxAttempts", maxAttempts, "maxRetryAfter", maxRetryAfter, "maxDuration", maxDuration);
        return OrchestratorConfig.RetryPolicy.class
                .cast(Proxy.newProxyInstance(OrchestratorConfig.RetryPolicy.class.getClassLoader(),
                        new Class<?>[] { OrchestratorConfig.RetryPolicy.class }, (self, method, args) -> {
                            switch (method.getName()) {
                                case "toString" -> {
                                    return "retry policy " + new TreeMap<>(values);
                                }
                                case "equals" -> {
                                    return self == args[0];
                                }
                                case "hashCode" -> {
                                    return System.identityHashCode(self);
                                }
                                default -> {
                                }
                            }
                            if (!values.containsKey(method.getName())) {
                                throw new UnsupportedOperationException(method.getName() + " is not a rule's setting");
                            }
                            return values.get(method.getName());
                        }));
    }
}
