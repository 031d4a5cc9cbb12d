package dev.dataaction.retry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.ingest.ApiKeys;
import dev.dataaction.retry.support.Configs;

/** Which cookies open a console session: only those this service signed, for a key still configured, before they end. */
class ConsoleSessionsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");
    private static final String KEYS = "ops:operator=ops-key-1a2b, watch:viewer=view-key-3c4d";

    @Test
    void aSessionOpenedWithAKeyIsReadBackWithItsLabelAndRole() {
        ConsoleSessions sessions = sessions(KEYS, "8h");

        ConsoleSessions.Session session = sessions.read(open(sessions, KEYS, "view-key-3c4d"), NOW.plusSeconds(60))
                .orElseThrow();

        assertThat(session.label()).isEqualTo("watch");
        assertThat(session.mayAct()).isFalse();
        assertThat(session.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(8)));
    }

    @Test
    void anotherReplicaWithTheSameKeysAcceptsTheSession() {
        String cookie = open(sessions(KEYS, "8h"), KEYS, "ops-key-1a2b");

        assertThat(sessions(KEYS, "8h").read(cookie, NOW)).get().extracting(ConsoleSessions.Session::label)
                .isEqualTo("ops");
    }

    @Test
    void theSessionEndsAfterItsTimeout() {
        ConsoleSessions sessions = sessions(KEYS, "30m");
        String cookie = open(sessions, KEYS, "ops-key-1a2b");

        assertThat(sessions.read(cookie, NOW.plus(Duration.ofMinutes(29)))).isPresent();
        assertThat(sessions.read(cookie, NOW.plus(Duration.ofMinutes(30)))).isEmpty();
    }

    @Test
    void takingTheKeyOutOfTheConfigurationEndsItsSessionsOnly() {
        String ops = open(sessions(KEYS, "8h"), KEYS, "ops-key-1a2b");
        String watch = open(sessions(KEYS, "8h"), KEYS, "view-key-3c4d");

        ConsoleSessions withoutOps = sessions("watch:viewer=view-key-3c4d", "8h");

        assertThat(withoutOps.read(ops, NOW)).isEmpty();
        assertThat(withoutOps.read(watch, NOW)).isPresent();
    }

    @Test
    void aCookieWhoseContentWasChangedIsRefused() {
        ConsoleSessions sessions = sessions(KEYS, "8h");
        String cookie = open(sessions, KEYS, "view-key-3c4d");
        String payload = new String(Base64.getUrlDecoder().decode(cookie.substring(0, cookie.indexOf('.'))),
                StandardCharsets.UTF_8);
        String promoted = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.replace("VIEWER", "OPERATOR").getBytes(StandardCharsets.UTF_8))
                + cookie.substring(cookie.indexOf('.'));
        String prolonged = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.replaceFirst("\\|\\d+\\|", "|99999999999|").getBytes(StandardCharsets.UTF_8))
                + cookie.substring(cookie.indexOf('.'));

        assertThat(sessions.read(promoted, NOW)).as("a viewer's cookie made an operator's").isEmpty();
        assertThat(sessions.read(prolonged, NOW)).as("a cookie given a later end").isEmpty();
        assertThat(sessions.read("not-a-cookie", NOW)).isEmpty();
        assertThat(sessions.read("", NOW)).isEmpty();
        assertThat(sessions.read(null, NOW)).isEmpty();
    }

    @Test
    void theCookieHoldsNeitherTheKeyNorItsDigest() {
        String cookie = open(sessions(KEYS, "8h"), KEYS, "ops-key-1a2b");
        String payload = new String(Base64.getUrlDecoder().decode(cookie.substring(0, cookie.indexOf('.'))),
                StandardCharsets.UTF_8);

        assertThat(cookie + payload).doesNotContain("ops-key-1a2b");
        assertThat(payload.split("\\|")).hasSize(4).startsWith("ops", "OPERATOR");
    }

    @Test
    void aFormTokenIsValidForItsOwnSessionOnly() {
        ConsoleSessions sessions = sessions(KEYS, "8h");
        ConsoleSessions.Session first = sessions.read(open(sessions, KEYS, "ops-key-1a2b"), NOW).orElseThrow();
        ConsoleSessions.Session second = sessions.read(open(sessions, KEYS, "ops-key-1a2b"), NOW).orElseThrow();

        assertThat(sessions.csrfValid(first, sessions.csrfToken(first))).isTrue();
        assertThat(sessions.csrfValid(first, sessions.csrfToken(second))).as("another session's token").isFalse();
        assertThat(sessions.csrfValid(first, null)).isFalse();
        assertThat(sessions.csrfValid(first, "")).isFalse();
    }

    private static ConsoleSessions sessions(String keys, String timeout) {
        OrchestratorConfig config = Configs.orchestrator(Map.of("orchestrator.api-keys", keys,
                "orchestrator.console.session-timeout", timeout));
        return new ConsoleSessions(new ApiKeys(config), config);
    }

    private static String open(ConsoleSessions sessions, String keys, String key) {
        ApiKeys.Holder holder = new ApiKeys(Configs.orchestrator(Map.of("orchestrator.api-keys", keys))).holder(key)
                .orElseThrow();
        return sessions.open(holder, NOW);
    }
}
