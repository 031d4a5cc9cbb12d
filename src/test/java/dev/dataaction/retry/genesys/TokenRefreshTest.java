package dev.dataaction.retry.genesys;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The OAuth side: a 401 makes the next call fetch a new token and the attempt is repeated once without using one up;
 * tokens are cached and shared, and a login service that is down holds retries instead of failing them.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class TokenRefreshTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /** Starts each test with a token cached (the first call of the application fetches one) and an empty request log. */
    @BeforeEach
    void cacheAToken() {
        String warmUp = Retries.newActionId();
        GenesysStub.stubSequence(executePath(warmUp), ok("{}"));
        Retries.awaitStatus(Retries.submitNew(warmUp, "warm-up"), "SUCCEEDED");
        GenesysStub.server().resetRequests();
    }

    private static ResponseDefinitionBuilder unauthorized() {
        return genesysError(401, "authentication.required", "No authentication bearer token specified", "ctx-401");
    }

    @Test
    void unauthorizedOnceFetchesANewTokenAndRepeatsTheAttempt() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), unauthorized(), ok("{\"ok\":true}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 1);
        assertThat(record.getList("attempts.outcome")).containsExactly("AUTH_REJECTED", "SUCCESS");
        assertThat(record.getList("attempts.httpStatus", Integer.class)).containsExactly(401, 200);

        List<LoggedRequest> executions = GenesysStub.requestsTo(executePath(actionId));
        List<LoggedRequest> tokens = GenesysStub.requestsTo(GenesysStub.TOKEN_PATH);
        assertThat(executions).hasSize(2);
        assertThat(tokens).as("a new token fetched after the 401").hasSize(1);
        assertThat(tokens.get(0).getLoggedDate()).isAfterOrEqualTo(executions.get(0).getLoggedDate())
                .isBeforeOrEqualTo(executions.get(1).getLoggedDate());
        assertThat(executions.get(1).getHeader("Authorization")).isEqualTo("Bearer " + GenesysStub.ACCESS_TOKEN);
    }

    @Test
    void tokenIsRequestedWithClientCredentialsAndHttpBasicClientAuthentication() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), unauthorized(), ok("{}"));

        Retries.awaitStatus(Retries.submitNew(actionId, "run-1"), "SUCCEEDED");

        LoggedRequest token = GenesysStub.requestsTo(GenesysStub.TOKEN_PATH).get(0);
        String basic = Base64.getEncoder().encodeToString(
                (GenesysStub.CLIENT_ID + ":" + GenesysStub.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        assertThat(token.getHeader("Authorization")).isEqualTo("Basic " + basic);
        assertThat(token.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(token.getBodyAsString()).contains("grant_type=client_credentials")
                .doesNotContain(GenesysStub.CLIENT_SECRET);
    }

    @Test
    void unauthorizedTwiceInARowFails() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), unauthorized(), unauthorized(), ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "FAILED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 1);
        assertThat(record.getList("attempts.outcome")).containsExactly("AUTH_REJECTED", "AUTH_REJECTED");
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(401);
        assertThat(record.getString("lastError.code")).isEqualTo("authentication.required");
        assertThat(GenesysStub.tokenRequests()).isEqualTo(1);
        await("no further call").during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 2);
    }

    @Test
    void repeatAfterUnauthorizedDoesNotUseUpAnAttempt() {
        String actionId = Retries.newActionId();
        // three retryable failures and a 401 in between: with max-attempts 4 the fourth attempt still happens
        GenesysStub.stubSequence(executePath(actionId), genesysError(500, "internal.server.error", "boom", "c1"),
                genesysError(500, "internal.server.error", "boom", "c2"), unauthorized(),
                genesysError(500, "internal.server.error", "boom", "c3"), ok("{\"ok\":true}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 2, 3, 3, 4);
        assertThat(record.getList("attempts.outcome")).containsExactly("SERVER_ERROR", "SERVER_ERROR", "AUTH_REJECTED",
                "SERVER_ERROR", "SUCCESS");
    }

    @Test
    void cachedTokenServesEveryRetry() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), ok("{}"));

        List<String> ids = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            ids.add(Retries.submitNew(actionId, "run-" + run));
        }

        ids.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
        assertThat(GenesysStub.tokenRequests()).isZero();
        assertThat(GenesysStub.requestsTo(executePath(actionId)))
                .allSatisfy(request -> assertThat(request.getHeader("Authorization"))
                        .isEqualTo("Bearer " + GenesysStub.ACCESS_TOKEN));
    }

    /**
     * Ten concurrent retries (the queue's max-depth) whose token was revoked: every first attempt is refused, and all ten
     * repeats wait for one and the same new token.
     */
    @Test
    void concurrentRetriesShareOneTokenRequest() {
        String revoked = "revoked-token-" + Retries.newActionId();
        cacheToken(revoked);
        GenesysStub.server().resetRequests();
        // the login service is slow, so that every repeat asks for a token while the first request is on its way
        GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(GenesysStub.tokenResponse(GenesysStub.ACCESS_TOKEN, 86_400).withFixedDelay(1_000)));
        String actionId = Retries.newActionId();
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + GenesysStub.ACCESS_TOKEN)).willReturn(ok("{\"ok\":1}")));
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId))).atPriority(5).willReturn(unauthorized()));
        int concurrent = Retries.queueCapacity();

        List<Map<String, Object>> batch = new ArrayList<>();
        for (int n = 0; n < concurrent; n++) {
            batch.add(Retries.request(actionId, "run-" + n, Map.of("n", n)));
        }
        List<String> ids = Retries.submitBatch(batch).then().statusCode(200).extract().jsonPath()
                .getList("results.retry.requestId");

        assertThat(ids).hasSize(concurrent).doesNotContainNull();
        for (String id : ids) {
            JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
            assertThat(record.getList("attempts.number", Integer.class)).containsOnly(1);
            assertThat(record.getList("attempts.outcome")).endsWith("SUCCESS");
        }
        assertThat(GenesysStub.tokenRequests()).as("token requests for %d concurrent retries", concurrent).isEqualTo(1);
        assertThat(GenesysStub.requestsTo(executePath(actionId)).stream()
                .filter(request -> request.getHeader("Authorization").equals("Bearer " + revoked)).count())
                .as("attempts refused with the revoked token").isPositive();
    }

    @Test
    void loginServiceDownHoldsTheRetryWithoutUsingUpAttempts() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), unauthorized(), ok("{\"ok\":true}"));
        var outage = GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(GenesysStub.json(503, "{\"error\":\"temporarily_unavailable\"}")));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath held = Retries.awaitRecord(id, record -> "token.unavailable".equals(record.getString("lastError.code")),
                "held for want of a token");
        assertThat(held.getString("status")).isIn("PENDING", "IN_FLIGHT");
        assertThat(held.getList("attempts.outcome")).containsExactly("AUTH_REJECTED");
        await("the token to be asked for again").atMost(Duration.ofSeconds(5))
                .until(() -> GenesysStub.tokenRequests() >= 3);
        assertThat(GenesysStub.countOf(executePath(actionId))).as("nothing sent without a token").isEqualTo(1);

        GenesysStub.server().removeStub(outage);

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 1);
        assertThat(record.getList("attempts.outcome")).containsExactly("AUTH_REJECTED", "SUCCESS");
    }

    /** Makes the application cache {@code token}: a 401 makes it fetch a new one, which the login service hands out. */
    private static void cacheToken(String token) {
        String primer = Retries.newActionId();
        GenesysStub.stubSequence(executePath(primer), unauthorized(), ok("{}"));
        GenesysStub.stubToken(GenesysStub.server(), token, 86_400);
        Retries.awaitStatus(Retries.submitNew(primer, "prime"), "SUCCEEDED");
        assertThat(GenesysStub.requestsTo(executePath(primer)).get(1).getHeader("Authorization"))
                .isEqualTo("Bearer " + token);
    }
}
