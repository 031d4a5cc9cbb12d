package dev.dataaction.retry.faults;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Tokens the login service hands out that are hard to live with: one that expires within half a minute, and answers that
 * are a 200 but no token. Retries go on working, or wait and resume, and the login service is asked once at a time.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class TokenFaultsTest {

    @BeforeEach
    void resetGenesys() {
        GenesysStub.reset();
    }

    /** Leaves a token valid for a day cached, as the other tests expect to find it. */
    @AfterEach
    void leaveALongLivedTokenBehind() {
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
