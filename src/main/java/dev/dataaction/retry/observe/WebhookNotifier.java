package dev.dataaction.retry.observe;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;

/**
 * Posts outcome events to the operator's webhook, after the outcome is recorded and off the retry's path: a slow,
 * failing or unreachable receiver never delays or changes a retry. Deliveries are bounded in time, in tries and in how
 * many may wait at once.
 */
@ApplicationScoped
public class WebhookNotifier {

    private static final String HMAC = "HmacSHA256";

    private final OrchestratorConfig.Webhook config;
    private final ObjectMapper json;
    private final AuditLog audit;
    private final Optional<WebhookReceiver> receiver;
    private final Semaphore pending;

    WebhookNotifier(OrchestratorConfig config, ObjectMapper json, AuditLog audit) {
        this.config = config.webhook();
        this.json = json;
        this.audit = audit;
        this.pending = new Semaphore(this.config.maxPending());
        this.receiver = this.config.url().map(url -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(url))
                .connectTimeout(this.config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(this.config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .build(WebhookReceiver.class));
    }

    /** Sends the event in the background, unless the webhook is disabled. */
    void send(WebhookEvent event) {
        if (receiver.isEmpty()) {
            return;
        }
        if (!pending.tryAcquire()) {
            failed(event, 0, "dropped: " + config.maxPending() + " deliveries already pending");
            return;
        }
        String body;
        try {
            body = json.writeValueAsString(event);
        } catch (JsonProcessingException unexpected) {
            pending.release();
            failed(event, 0, "the event could not be serialised");
            return;
        }
        String timestamp = Long.toString(event.timestamp().getEpochSecond());
        String signature = config.secret().map(secret -> "sha256=" + signature(secret, timestamp, body)).orElse(null);
        int[] tries = { 0 };
        Uni.createFrom().deferred(() -> {
            tries[0]++;
            return receiver.get().deliver(signature, timestamp, body);
        })
                .onFailure().invoke(failure -> failed(event, tries[0], failure.getClass().getSimpleName()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).withJitter(0.2)
                .atMost(config.maxAttempts() - 1)
                .onTermination().invoke(pending::release)
                .subscribe().with(delivered -> delivered.close(), gaveUp -> {
                });
    }

    private void failed(WebhookEvent event, int attempt, String reason) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("requestId", event.data().requestId());
        fields.put("actionId", event.data().actionId());
        fields.put("originalRunId", event.data().originalRunId());
        fields.put("eventType", event.eventType());
        fields.put("attempt", attempt);
        fields.put("reason", reason);
        audit.write(AuditEvent.WEBHOOK_FAILURE, fields);
    }

    /**
     * The hex HMAC-SHA256 of {@code timestamp.body} in UTF-8. The timestamp is signed with the body so that a captured
     * delivery replayed later, under a fresh timestamp, no longer verifies.
     */
    static String signature(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException("HMAC-SHA256 is not available", unavailable);
        }
    }
}
