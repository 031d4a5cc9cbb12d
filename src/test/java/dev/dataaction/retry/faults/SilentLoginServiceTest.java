package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A login service that accepts the connection and never answers. A token request gives up after
 * {@code genesys.token-timeout} (1 s here) and counts as a failed one: the retry is held, readiness is DOWN, the next
 * token request is a new one rather than the first, stuck, and the retry either resumes when the login service answers
 * again or ends EXHAUSTED at max-duration (12 s here).
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(SilentLoginServiceTest.SilentLoginService.class)
class SilentLoginServiceTest {

    private static final Duration MAX_DURATION = Duration.ofSeconds(12);
    private static final String RECOVERED_TOKEN = "token-after-the-silence";

    /** The login service on a port of its own, with short token timeout and max-duration. */
    public static class SilentLoginService implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genesys.token-timeout", "1s",
                    "orchestrator.retry.max-duration", MAX_DURATION.toSeconds() + "s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LoginServiceDown.class));
        }
    }

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @BeforeEach
    void silenceTheLoginService() {
        LoginServiceDown.goSilent();
    }

    /**
     * An action that accepts only {@code token}; any other, such as one cached before the test, gets a 401, which makes
     * the retry ask the login service for a new token.
     */
    private static String actionAcceptingOnly(String token) {
        String actionId = Retries.newActionId();
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + token)).willReturn(GenesysStub.ok("{\"ok\":1}")));
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(5).willReturn(GenesysStub
                .genesysError(401, "authentication.required", "No authentication bearer token specified", "ctx")));
        return actionId;
    }

    @Test
    void unansweredTokenRequestHoldsTheRetryUntilTheLoginServiceAnswers() {
        String id = Retries.submitNew(actionAcceptingOnly(RECOVERED_TOKEN), "run");

        JsonPath held = Retries.awaitRecord(id, record -> "token.unavailable".equals(record.getString("lastError.code")),
                "held for want of a token");
        assertThat(held.getString("status")).isIn("PENDING", "IN_FLIGHT");
        assertThat(held.getList("attempts.outcome")).isSubsetOf("AUTH_REJECTED");
        await("readiness reporting the token").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath ready = Callers.withoutApiKey().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
            assertThat(ready.getBoolean("checks.find { it.name == 'retries' }.data.tokenAvailable")).isFalse();
        });
        // the first request gave up; a later attempt sends a new one instead of joining it for ever
        await("a second token request").atMost(Duration.ofSeconds(5))
                .until(() -> LoginServiceDown.unansweredConnections() >= 2);

        LoginServiceDown.comeUp(GenesysStub.tokenResponse(RECOVERED_TOKEN, 86_400));

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).endsWith("SUCCESS").containsOnlyOnce("SUCCESS");
        Faults.assertHealthy();
    }

    @Test
    void retryEndsExhaustedAtMaxDurationWhileTheLoginServiceNeverAnswers() {
        String id = Retries.submitNew(actionAcceptingOnly("a-token-never-handed-out"), "run");

        JsonPath record = Retries.awaitStatus(id, "EXHAUSTED");

        assertThat(record.getString("lastError.code")).isEqualTo("max-duration.reached");
        assertThat(record.getString("lastError.message")).contains("no access token");
        assertThat(record.getList("attempts.outcome")).isSubsetOf("AUTH_REJECTED");
        assertThat(Duration.between(Retries.instant(record, "acceptedAt"), Retries.instant(record, "completedAt")))
                .isLessThanOrEqualTo(MAX_DURATION);
        assertThat(LoginServiceDown.unansweredConnections()).as("token requests, each given up").isGreaterThan(1);
    }
}
