package dev.dataaction.retry.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application as operators run it: a signed webhook to a {@link WebhookReceiverStub}, with a short delivery timeout
 * so that a hanging receiver is given up on quickly. Genesys is the global {@link GenesysStub}. Every test class of the
 * operations features uses this profile, so they share one application.
 */
public class OperationsProfile implements QuarkusTestProfile {

    /** {@code orchestrator.webhook.max-attempts}: deliveries of one event at most. */
    public static final int WEBHOOK_MAX_ATTEMPTS = 3;
    /** {@code orchestrator.webhook.timeout}: short, so that a hanging receiver is given up on quickly. */
    public static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(1);
    /** {@code orchestrator.queue.max-depth} of the test configuration. */
    public static final int QUEUE_CAPACITY = 10;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.webhook.timeout", WEBHOOK_TIMEOUT.toMillis() + "ms",
                "orchestrator.webhook.max-attempts", Integer.toString(WEBHOOK_MAX_ATTEMPTS));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(WebhookReceiverStub.class));
    }
}
