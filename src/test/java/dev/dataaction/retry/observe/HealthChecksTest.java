package dev.dataaction.retry.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.success;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The Kubernetes probes: open without an API key, and readiness that reflects the queue and the token. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class HealthChecksTest {

    private static final String RETRIES_CHECK = "checks.find { it.name == 'retries' }";

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();

    @Test
    void livenessAndStartupAreUpWithoutAnApiKey() {
        Callers.withoutApiKey().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Callers.withoutApiKey().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessIsUpWithTheQueueAndBreakersAsData() {
        Retries.awaitQueueEmpty();

        JsonPath ready = Callers.withoutApiKey().get("/q/health/ready").then().statusCode(200).extract().jsonPath();

        assertThat(ready.getString("status")).isEqualTo("UP");
        assertThat(ready.getString(RETRIES_CHECK + ".status")).isEqualTo("UP");
        assertThat(ready.getInt(RETRIES_CHECK + ".data.inUse")).isZero();
        assertThat(ready.getInt(RETRIES_CHECK + ".data.capacity")).isEqualTo(OperationsProfile.QUEUE_CAPACITY);
        assertThat(ready.getInt(RETRIES_CHECK + ".data.openCircuits")).isNotNegative();
    }

    @Test
    void readinessIsDownWhileTheQueueIsFull() {
        String action = newActionId();
        List<String> held = Retries.fillQueue(action, OperationsProfile.QUEUE_CAPACITY);

        JsonPath full = given().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
        assertThat(full.getString("status")).isEqualTo("DOWN");
        assertThat(full.getInt(RETRIES_CHECK + ".data.inUse")).isEqualTo(OperationsProfile.QUEUE_CAPACITY);

        held.forEach(id -> given().delete("/v1/retries/" + id).then().statusCode(200));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }

    @Test
    void readinessIsDownWhileTokensCannotBeObtained() {
        String action = newActionId();
        // the 401 makes the service drop its cached token and ask the login service for a new one
        answers(action, json(401, GenesysActions.error(401, "bad.credentials", "Invalid login credentials")),
                success("{}"));
        StubMapping loginDown = genesys.stubFor(post(urlEqualTo("/oauth/token")).atPriority(1)
                .willReturn(json(500, "{\"error\":\"server_error\"}")));

        String id = Retries.submitAccepted(action);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonPath ready = given().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
            assertThat(ready.getBoolean(RETRIES_CHECK + ".data.tokenAvailable")).isFalse();
        });
        genesys.removeStub(loginDown);
        Retries.awaitStatus(id, "SUCCEEDED");
        genesys.verify(postRequestedFor(urlEqualTo("/oauth/token")));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessRecoversWhenTheLoginServiceDoesWithoutTraffic() {
        String action = newActionId();
        answers(action, json(401, GenesysActions.error(401, "bad.credentials", "Invalid login credentials")));
        StubMapping loginDown = genesys.stubFor(post(urlEqualTo("/oauth/token")).atPriority(1)
                .willReturn(json(500, "{\"error\":\"server_error\"}")));
        String id = Retries.submitAccepted(action);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
        // a pod that is not ready gets no traffic: no retry is left to ask for a token
        given().delete("/v1/retries/" + id).then().statusCode(200);

        genesys.removeStub(loginDown);
        try {
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        } finally {
            // a retry that gets a token puts readiness right for the tests that follow
            String recovery = newActionId();
            answers(recovery, success("{}"));
            Retries.awaitStatus(Retries.submitAccepted(recovery), "SUCCEEDED");
        }
    }
}
