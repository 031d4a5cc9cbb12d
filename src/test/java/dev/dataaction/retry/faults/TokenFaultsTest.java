package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Tokens the login service hands out that are hard to live with: one that expires within half a minute, and answers that
 * are a 200 but no token. Retries go on working, or wait and resume, and the login service is asked once at a time.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class TokenFaultsTest {

    /** How long the login service takes to answer in the tests that look at overlapping token requests. */
    private static final int TOKEN_DELAY_MS = 300;

    private LogCapture audit;

    /** Starts each test with the usual day-long token cached, whatever the tests before left. */
    @BeforeEach
    void resetGenesysWithATokenCached() {
        GenesysStub.reset();
        cacheToken(GenesysStub.ACCESS_TOKEN, 86_400);
        GenesysStub.server().resetRequests();
        audit = LogCapture.of(LogCapture.AUDIT);
    }

    /** Leaves a token valid for a day cached, as the other tests expect to find it. */
    @AfterEach
    void leaveALongLivedTokenBehind() {
        audit.close();
        Retries.leaveNothingBehind();
        GenesysStub.reset();
        cacheToken(GenesysStub.ACCESS_TOKEN, 86_400);
        Faults.assertHealthy();
    }

    @Test
    void tokenValidForThirtySecondsIsReusedRatherThanFetchedForEveryAttempt() {
        String shortLived = "short-lived-" + Retries.newActionId();
        cacheToken(shortLived, 30);
        GenesysStub.server().resetRequests();
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{\"ok\":true}"));

        List<String> ids = new ArrayList<>();
        for (int run = 0; run < 10; run++) {
            String id = Retries.submitAccepted(actionId, "run-" + run, "{}");
            Retries.awaitStatus(id, "SUCCEEDED");
            ids.add(id);
        }

        assertThat(GenesysStub.tokenRequests()).as("token requests for 10 attempts within seconds of the token's issue")
                .isZero();
        assertThat(GenesysStub.requestsTo(executePath(actionId))).hasSize(10).allSatisfy(
                execution -> assertThat(execution.getHeader("Authorization")).isEqualTo("Bearer " + shortLived));
        Faults.assertEachSucceededWithOneExecution(ids);
    }

    static Stream<Arguments> answersThatAreNoToken() {
        return Stream.of(
                Arguments.of("a 200 that is not JSON", aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/html").withBody("<html>Service maintenance</html>")),
                Arguments.of("a 200 without access_token", GenesysStub.json(200,
                        "{\"token_type\":\"bearer\",\"expires_in\":86400}")),
                Arguments.of("a 200 with an empty body", aResponse().withStatus(200)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersThatAreNoToken")
    void answerThatIsNoTokenHoldsRetriesUntilTheLoginServiceRecovers(String description,
            ResponseDefinitionBuilder noToken) {
        String recovered = "recovered-" + Retries.newActionId();
        String actionId = Retries.newActionId();
        // the action accepts only the token handed out after the recovery: the cached one gets a 401, which makes the
        // application ask the login service for a new one
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + recovered)).willReturn(ok("{\"ok\":true}")));
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(5).willReturn(
                genesysError(401, "authentication.required", "No authentication bearer token specified", "ctx")));
        StubMapping broken = GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(noToken.withFixedDelay(TOKEN_DELAY_MS)));
        GenesysStub.server().resetRequests();

        List<String> ids = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            ids.add(Retries.submitAccepted(actionId, "run-" + run, "{}"));
        }

        for (String id : ids) {
            JsonPath held = Retries.awaitRecord(id,
                    record -> "token.unavailable".equals(record.getString("lastError.code")), "held for want of a token");
            assertThat(held.getString("status")).isIn("PENDING", "IN_FLIGHT");
        }
        await("readiness reporting the token").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath ready = Callers.withoutApiKey().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
            assertThat(ready.getBoolean("checks.find { it.name == 'retries' }.data.tokenAvailable")).isFalse();
        });
        // readiness probed all along, as Kubernetes does: while the token is failing, a probe asks for one now and then
        await("the token asked for again").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Callers.withoutApiKey().get("/q/health/ready").then().statusCode(503);
                    return GenesysStub.tokenRequests() >= 8;
                });
        for (String id : ids) {
            JsonPath record = Retries.record(id);
            // IN_FLIGHT while its attempt waits for the token request on the wire
            assertThat(record.getString("status")).as("%s while no token: %s", description, record.prettify())
                    .isIn("PENDING", "IN_FLIGHT");
            // the 401 of the cached token, for a retry whose first attempt came before the token was found wanting
            assertThat(record.getList("attempts.outcome")).as("attempts of %s", id).isSubsetOf("AUTH_REJECTED")
                    .hasSizeLessThanOrEqualTo(1);
        }
        assertThat(GenesysStub.requestsTo(executePath(actionId))).as("executions while no token")
                .allSatisfy(execution -> assertThat(execution.getHeader("Authorization"))
                        .isEqualTo("Bearer " + GenesysStub.ACCESS_TOKEN));

        assertThat(audit.events("TOKEN_REFRESHED")).as("tokens said to be obtained").isEmpty();
        assertThat(audit.events("AUTH_FAILURE")).as("failed token requests in the audit trail").isNotEmpty();

        // the recovered answer takes over before the broken one goes: in between, the stub's default token would be handed
        // out, which the action refuses, and a retry whose repeat got it would end FAILED
        GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(GenesysStub.tokenResponse(recovered, 86_400)));
        GenesysStub.server().removeStub(broken);

        for (String id : ids) {
            JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
            assertThat(record.getList("attempts.number", Integer.class)).as("attempts of %s", id).containsOnly(1);
            assertThat(record.getList("attempts.outcome")).as("attempts of %s", id).endsWith("SUCCESS")
                    .containsOnlyOnce("SUCCESS");
            Faults.assertExecutedAsRecorded(id, record);
        }
        assertOneTokenRequestAtATime();
        Faults.assertHealthy();
    }

    /**
     * The login service never had two token requests at once: each began after the one before had been answered, which
     * took {@value #TOKEN_DELAY_MS} ms.
     */
    private static void assertOneTokenRequestAtATime() {
        List<LoggedRequest> tokens = GenesysStub.requestsTo(GenesysStub.TOKEN_PATH);
        assertThat(tokens).hasSizeGreaterThan(1);
        for (int i = 1; i < tokens.size(); i++) {
            long gap = tokens.get(i).getLoggedDate().getTime() - tokens.get(i - 1).getLoggedDate().getTime();
            assertThat(gap).as("ms between token requests %d and %d", i - 1, i).isGreaterThanOrEqualTo(TOKEN_DELAY_MS);
        }
    }

    /** Makes the application cache {@code token}: a 401 makes it fetch a new one, which the login service hands out. */
    private static void cacheToken(String token, int expiresIn) {
        String primer = Retries.newActionId();
        GenesysStub.stubSequence(executePath(primer),
                genesysError(401, "authentication.required", "No authentication bearer token specified", "ctx"),
                ok("{}"));
        GenesysStub.stubToken(GenesysStub.server(), token, expiresIn);
        Retries.awaitStatus(Retries.submitAccepted(primer, "prime", "{}"), "SUCCEEDED");
        assertThat(GenesysStub.requestsTo(executePath(primer)).get(1).getHeader("Authorization"))
                .isEqualTo("Bearer " + token);
    }
}
