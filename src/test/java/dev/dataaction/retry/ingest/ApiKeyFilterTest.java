package dev.dataaction.retry.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.OperationsProfile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** The {@code /v1} API requires an API key; probes, metrics and the API description do not. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class ApiKeyFilterTest {

    private static final String UNAUTHORIZED = "urn:genesys-retry-orchestrator:problem:unauthorized";

    LogCapture logs;

    @BeforeEach
    void watchLogs() {
        logs = LogCapture.of(LogCapture.ROOT);
    }

    @AfterEach
    void stopWatching() {
        logs.close();
    }

    @Test
    void requestWithoutKeyIsRefusedWithAProblem() {
        Callers.withoutApiKey().contentType(ContentType.JSON)
                .body("{\"actionId\":\"a-1\",\"originalRunId\":\"run-1\",\"requestPayload\":{}}")
                .when().post("/v1/retries")
                .then().statusCode(401)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("type", equalTo(UNAUTHORIZED))
                .body("status", equalTo(401));
    }

    @Test
    void requestWithWrongKeyIsRefusedAndTheKeyIsNotLogged() {
        String wrongKey = "wrong-" + UUID.randomUUID();

        Callers.withApiKey(wrongKey).get("/v1/retries")
                .then().statusCode(401)
                .contentType(startsWith(Problem.MEDIA_TYPE))
                .body("type", equalTo(UNAUTHORIZED));

        assertThat(logs.records()).anySatisfy(record -> assertThat(record.message()).contains("Refused GET"));
        assertThat(logs.records()).allSatisfy(record -> assertThat(record.everything()).doesNotContain(wrongKey));
    }

    @Test
    void requestWithTheConfiguredKeyIsServed() {
        Callers.withApiKey(GenesysStub.API_KEY).get("/v1/retries").then().statusCode(200);
    }

    @Test
    void probesMetricsAndApiDescriptionNeedNoKey() {
        for (String path : new String[] { "/q/health", "/q/health/live", "/q/metrics", "/q/openapi" }) {
            Callers.withoutApiKey().get(path).then().statusCode(200);
            Callers.withApiKey("wrong").get(path).then().statusCode(200);
        }
    }

    @Test
    void unknownRetryIsNotFoundOnlyForAuthorisedCallers() {
        given().get("/v1/retries/" + UUID.randomUUID()).then().statusCode(404);
        Callers.withoutApiKey().get("/v1/retries/" + UUID.randomUUID()).then().statusCode(401);
    }
}
