package dev.dataaction.retry.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
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
 * itself); an entry without one is labelled {@value #UNLABELLED}. An entry {@code label:role=key} also gives it a
 * {@link Role}: a {@code viewer} may only read, an {@code operator} (the default) may also act. A label is letters, digits,
 * {@code .}, {@code _} and
 * {@code -}; an entry whose part after the first {@code =} is only more {@code =} (a base64 key's padding) is a key
 * without a label.
 */
@ApplicationScoped
public class ApiKeys {

    static final String UNLABELLED = "unlabelled";
    /** Whoever calls when access control is off. */
    static final String ANONYMOUS = "anonymous";
    private static final Pattern LABELLED = Pattern
            .compile("([A-Za-z0-9._-]{1,64})(?::(viewer|operator))?=(.*[^=].*)");
    /** A label and a word where the role goes that is no role: a typo that must not turn the entry into a key. */
    private static final Pattern UNKNOWN_ROLE = Pattern
            .compile("([A-Za-z0-9._-]{1,64}):(?!(?:viewer|operator)=)([A-Za-z]+)=.*[^=].*");

    /** What the holder of a key may do. */
    public enum Role {
        /** Reads only. */
        VIEWER,
        /** Reads and acts: submits, cancels, redrives, pauses, changes limits. */
        OPERATOR
    }

    /**
     * Whoever presented a valid key.
     *
     * @param digest the key's SHA-256 digest, from which a console session derives its signing key; never shown
     */
    public record Holder(String label, Role role, byte[] digest) {

        public boolean mayAct() {
            return role == Role.OPERATOR;
        }
    }

    private static final Holder NOBODY_ASKED = new Holder(ANONYMOUS, Role.OPERATOR, new byte[0]);

    private final boolean enabled;
    private final List<Holder> keys;

    public ApiKeys(OrchestratorConfig config) {
        this.enabled = config.auth().enabled();
        // "old, new" in ORCHESTRATOR_API_KEYS means two keys, not one with a leading blank
        this.keys = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip)
                .filter(key -> !key.isEmpty())
                .map(ApiKeys::key)
                .toList();
    }

    private static Holder key(String entry) {
        Matcher mistyped = UNKNOWN_ROLE.matcher(entry);
        if (mistyped.matches()) {
            throw new IllegalArgumentException("orchestrator.api-keys: the entry labelled " + mistyped.group(1)
                    + " names the role '" + mistyped.group(2) + "'; a role is viewer or operator");
        }
        Matcher labelled = LABELLED.matcher(entry);
        if (!labelled.matches()) {
            return new Holder(UNLABELLED, Role.OPERATOR, digest(entry));
        }
        Role role = labelled.group(2) == null ? Role.OPERATOR : Role.valueOf(labelled.group(2).toUpperCase(Locale.ROOT));
        return new Holder(labelled.group(1), role, digest(labelled.group(3).strip()));
    }

    /** In production an API without keys is a mistake, unless access control was turned off on purpose. */
    void refuseToStartOpen(@Observes StartupEvent started) {
        if (enabled && keys.isEmpty() && LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException("No API key is configured: set orchestrator.api-keys (environment variable "
                    + "ORCHESTRATOR_API_KEYS, comma-separated) or, deliberately, orchestrator.auth.enabled=false");
        }
    }

    /** Whether keys are required; when not, everyone is an {@value #ANONYMOUS} operator. */
    public boolean required() {
        return enabled;
    }

    /** Who presents this key: {@value #ANONYMOUS} when access control is off; empty when the key is not valid. */
    public Optional<Holder> holder(String presented) {
        if (!enabled) {
            return Optional.of(NOBODY_ASKED);
        }
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] candidate = digest(presented);
        Holder matched = null;
        for (Holder key : keys) {
            // every key is compared, so that the time taken does not tell which one matched
            if (MessageDigest.isEqual(key.digest(), candidate) && matched == null) {
                matched = key;
            }
        }
        return Optional.ofNullable(matched);
    }

    /** The holders of the configured keys, for checking what was signed with a key's digest. */
    public List<Holder> holders() {
        return enabled ? keys : List.of(NOBODY_ASKED);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException unavailable) {
            throw new IllegalStateException("SHA-256 is not available", unavailable);
        }
    }
}
