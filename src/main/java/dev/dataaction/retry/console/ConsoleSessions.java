package dev.dataaction.retry.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.ingest.ApiKeys;

/**
 * Console sessions, held by the browser in a signed cookie rather than by this instance, so that every replica accepts
 * the sessions any of them opened and a restart signs nobody out. The cookie names the key's label and role, when the
 * session ends and a random nonce; it is signed (HMAC-SHA256) with a secret derived from the digest of the key that
 * opened it, so taking a key out of {@code orchestrator.api-keys} ends its sessions on the next request. The key itself
 * is never in the cookie. Each session has its own CSRF token, derived from its nonce with the same secret.
 */
@ApplicationScoped
class ConsoleSessions {

    static final String COOKIE = "orchestrator-console";
    private static final String HMAC = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** One signed-in operator's session. */
    record Session(String label, ApiKeys.Role role, Instant expiresAt, String nonce, SecretKeySpec secret) {

        boolean mayAct() {
            return role == ApiKeys.Role.OPERATOR;
        }

        @Override
        public String toString() {
            return "Session[" + label + ", " + role + ", until " + expiresAt + "]";
        }
    }

    private final ApiKeys keys;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();
    /** When access control is off there is no key to derive from: sessions hold until this instance stops. */
    private final SecretKeySpec unkeyed;

    ConsoleSessions(ApiKeys keys, OrchestratorConfig config) {
        this.keys = keys;
        this.timeout = config.console().sessionTimeout();
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        this.unkeyed = new SecretKeySpec(bytes, HMAC);
    }

    /** How long a session lasts. */
    Duration timeout() {
        return timeout;
    }

    /** Opens a session for whoever presented a valid key; the answer is the cookie's value. */
    String open(ApiKeys.Holder holder, Instant now) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String payload = String.join("|", holder.label(), holder.role().name(),
                Long.toString(now.plus(timeout).getEpochSecond()), ENCODER.encodeToString(nonce));
        return ENCODER.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "."
                + ENCODER.encodeToString(sign(secret(holder), payload));
    }

    /** The session a cookie holds, if it is one this service signed, with a key still configured, and still open. */
    Optional<Session> read(String cookie, Instant now) {
        if (cookie == null) {
            return Optional.empty();
        }
        int dot = cookie.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String payload;
        byte[] signature;
        try {
            payload = new String(DECODER.decode(cookie.substring(0, dot)), StandardCharsets.UTF_8);
            signature = DECODER.decode(cookie.substring(dot + 1));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\|", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        for (ApiKeys.Holder holder : keys.holders()) {
            SecretKeySpec secret = secret(holder);
            if (holder.label().equals(parts[0]) && holder.role().name().equals(parts[1])
                    && MessageDigest.isEqual(sign(secret, payload), signature)) {
                Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(parts[2]));
                return now.isBefore(expiresAt)
                        ? Optional.of(new Session(parts[0], holder.role(), expiresAt, parts[3], secret))
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The token every state-changing form of this session carries. */
    String csrfToken(Session session) {
        return ENCODER.encodeToString(sign(session.secret(), "csrf|" + session.nonce()));
    }

    /** Whether a form came from a page of this session. */
    boolean csrfValid(Session session, String token) {
        return token != null && MessageDigest.isEqual(csrfToken(session).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    private SecretKeySpec secret(ApiKeys.Holder holder) {
        if (holder.digest().length == 0) {
            return unkeyed;
        }
        return new SecretKeySpec(sign(new SecretKeySpec(holder.digest(), HMAC), "orchestrator console session"), HMAC);
    }

    private static byte[] sign(SecretKeySpec secret, String text) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(secret);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException unavailable) {
            throw new IllegalStateException("HmacSHA256 is not available", unavailable);
        }
    }
}
