package dev.dataaction.retry.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * The API keys accepted on the {@code /v1} API. Keys are held and compared as SHA-256 digests, in constant time and
 * against every configured key, so that neither timing nor memory dumps of the comparison reveal them.
 */
@ApplicationScoped
class ApiKeys {

    private final boolean enabled;
    private final List<byte[]> keyDigests;

    ApiKeys(OrchestratorConfig config) {
        this.enabled = config.auth().enabled();
        // "old, new" in ORCHESTRATOR_API_KEYS means two keys, not one with a leading blank
        this.keyDigests = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip)
                .filter(key -> !key.isEmpty())
                .map(ApiKeys::digest)
                .toList();
    }

    /** In production an API without keys is a mistake, unless access control was turned off on purpose. */
    void refuseToStartOpen(@Observes StartupEvent started) {
        if (enabled && keyDigests.isEmpty() && LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException("No API key is configured: set orchestrator.api-keys (environment variable "
                    + "ORCHESTRATOR_API_KEYS, comma-separated) or, deliberately, orchestrator.auth.enabled=false");
        }
    }

    /** Whether a request with this {@code X-API-Key} value may use the API. */
    boolean admits(String presented) {
        if (!enabled) {
            return true;
        }
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] candidate = digest(presented);
        boolean matched = false;
        for (byte[] key : keyDigests) {
            matched |= MessageDigest.isEqual(key, candidate);
        }
        return matched;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException unavailable) {
            throw new IllegalStateException("SHA-256 is not available", unavailable);
        }
    }
}
