package dev.dataaction.retry.faults;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;

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
 * The application starts while the login service is down: a retry submitted then waits, without spending attempts or
 * reaching Genesys, while readiness reports the missing token, first with the connection refused, then with the login
 * service answering 503; once a token can be had, the retry runs and succeeds.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(LoginDownAtStartTest.LoginServiceDownAtStart.class)
class LoginDownAtStartTest {

    /** The test profile's queue and Genesys, with the login service down. */
    public static class LoginServiceDownAtStart implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LoginServiceDown.class));
        }
    }

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void retryWaitsWhileTheLoginServiceIsDownAndSucceedsOnceItIsBack() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.ok("{\"ticket\":\"T-9\"}"));

        String id = Retries.submitAccepted(actionId);

        assertHeldForWantOfAToken(id, "connection refused");

        WireMockServer login = LoginServiceDown.comeUp(
                GenesysStub.json(503, "{\"error\":\"temporarily_unavailable\"}"));
        await("the login service asked while it answers 503").atMost(Duration.ofSeconds(5))
                .until(() -> login.getAllServeEvents().size() >= 2);
        assertHeldForWantOfAToken(id, "503 from the login service");

        LoginServiceDown.answerWith(GenesysStub.tokenResponse("token-after-the-outage", 86_400));

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("SUCCESS");
        assertThat(record.getString("result.ticket")).isEqualTo("T-9");
        assertThat(GenesysStub.requestsTo(executePath(actionId))).singleElement()
                .satisfies(execution -> assertThat(execution.getHeader("Authorization"))
                        .isEqualTo("Bearer token-after-the-outage"));
        Faults.assertHealthy();
        Callers.withoutApiKey().get("/q/health/ready").then().statusCode(200);
    }

    /** The retry is unfinished, has spent no attempt, has sent nothing to Genesys, and readiness says why. */
    private static void assertHeldForWantOfAToken(String id, String phase) {
        JsonPath held = Retries.awaitRecord(id,
                record -> "token.unavailable".equals(record.getString("lastError.code")), "held for want of a token");
        assertThat(held.getString("status")).as("while %s", phase).isIn("PENDING", "IN_FLIGHT");
        assertThat(held.getList("attempts")).as("attempts while %s", phase).isEmpty();
        assertThat(GenesysStub.apiRequests()).as("calls to Genesys while %s", phase).isZero();
        await("readiness reporting the token while " + phase).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonPath ready = Callers.withoutApiKey().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
            assertThat(ready.getBoolean("checks.find { it.name == 'retries' }.data.tokenAvailable")).isFalse();
        });
        assertThat(Retries.record(id).getString("status")).as("after readiness, while %s", phase)
                .isIn("PENDING", "IN_FLIGHT");
    }
}
