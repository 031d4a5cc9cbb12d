package dev.dataaction.retry.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class RetryLifecycleTest {

    WireMockServer genesys = GenesysStub.server();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void rateLimitedTwiceThenSucceedsOnTheThirdAttempt() {
        String action = "action-" + UUID.randomUUID();
        String path = "/api/v2/integrations/actions/" + action + "/execute";
        genesys.stubFor(post(urlEqualTo(path)).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429)
                        .withBody("{\"message\":\"Rate limit exceeded\",\"code\":\"too.many.requests\",\"status\":429}"))
                .willSetStateTo("second"));
        genesys.stubFor(post(urlEqualTo(path)).inScenario("s").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(429)).willSetStateTo("third"));
        genesys.stubFor(post(urlEqualTo(path)).inScenario("s").whenScenarioStateIs("third")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"ticket\":\"T-1\"}")));

        var accepted = given().contentType(ContentType.JSON)
                .body("{\"actionId\":\"" + action + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{\"customer\":\"42\"}}")
                .when().post("/v1/retries")
                .then().statusCode(202).extract();
        String id = accepted.path("requestId");
        assertThat(accepted.header("Location")).endsWith("/v1/retries/" + id);
        assertThat(accepted.<String> path("status")).isEqualTo("PENDING");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("RATE_LIMITED", "RATE_LIMITED", "SUCCESS");
        assertThat(record.getString("result.ticket")).isEqualTo("T-1");
        genesys.verify(3, postRequestedFor(urlEqualTo(path))
                .withHeader("ININ-Correlation-Id", equalTo(id))
                .withHeader("Authorization", equalTo("Bearer " + GenesysStub.ACCESS_TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalTo("{\"customer\":\"42\"}")));
    }
}
