package dev.dataaction.retry.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * The API keys accepted on the {@code /v1} API. Keys are held and compared as SHA-256 digests, in constant time and
 * against every configured key, so that neither timing nor memory dumps of the comparison reveal them.
 * <p>
 * An entry {@code label=key} gives the key a label, which the audit trail names as whoever made a change (never the key
 * itself); an entry without one is labelled {@value #UNLABELLED}. A label is letters, digits, {@code .}, {@code _} and
 * {@code -}; an entry whose part after the first {@code =} is only more {@code =} (a base64 key's padding) is a key
 * without a label.
 */
@ApplicationScoped
class ApiKeys {

    static final String UNLABELLED = "unlabelled";
    /** Whoever calls when access control is off. */
    static final String ANONYMOUS = "anonymous";
    private static final Pattern LABELLED = Pattern.compile("([A-Za-z0-9._-]{1,64})=(.*[^=].*)");

    private record Key(String label, byte[] digest) {
    }

    private final boolean enabled;
    private final List<Key> keys;

    ApiKeys(OrchestratorConfig config) {
        this.enabled = config.auth().enabled();
        // "old, new" in ORCHESTRATOR_API_KEYS means two keys, not one with a leading blank
        this.keys = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip)
                .filter(key -> !key.isEmpty())
                .map(ApiKeys::key)
                .toList();
    }

    private static Key key(String entry) {
        Matcher labelled = LABELLED.matcher(entry);
        return labelled.matches() ? new Key(labelled.group(1), digest(labelled.group(2).strip()))
                : new Key(UNLABELLED, digest(entry));
    }

    /** In production an API without keys is a mistake, unless access control was turned off on purpose. */
    void refuseToStartOpen(@Observes StartupEvent started) {
        if (enabled && keys.isEmpty() && LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException("No API key is configured: set orchestrator.api-keys (environment variable "
                    + "ORCHESTRATOR_API_KEYS, comma-separated) or, deliberately, orchestrator.auth.enabled=false");
        }
    }

    /**
     * The label of the key a request with this {@code X-API-Key} value presents, {@value #ANONYMOUS} when access control
     * is off; empty when the request may not use the API.
     */
    Optional<String> caller(String presented) {
        if (!enabled) {
            return Optional.of(ANONYMOUS);
        }
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] candidate = digest(presented);
        String matched = null;
        for (Key key : keys) {
            // every key is compared, so that the time taken does not tell which one matched
            if (MessageDigest.isEqual(key.digest(), candidate) && matched == null) {
                matched = key.label();
            }
        }
        return Optional.ofNullable(matched);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException unavailable) {
            throw new IllegalStateException("SHA-256 is not available", unavailable);
        }
    }
}
