package dev.dataaction.retry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.OperationsProfile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The API description served to callers at {@code /q/openapi}. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class OpenApiTest {

    @Test
    void describesTheRetryApiAndItsApiKeyScheme() {
        JsonPath document = Callers.withoutApiKey().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath();

        Map<String, Object> paths = document.getMap("paths");
        assertThat(paths).containsKeys("/v1/retries", "/v1/retries/batch", "/v1/retries/{requestId}");
        assertThat(document.getMap("paths.'/v1/retries'")).containsKeys("post", "get");
        assertThat(document.getMap("paths.'/v1/retries/{requestId}'")).containsKeys("get", "delete");
        Map<String, Object> schemes = document.getMap("components.securitySchemes");
        assertThat(schemes).hasSize(1);
        Map<String, Object> apiKey = document.getMap("components.securitySchemes." + schemes.keySet().iterator().next());
        assertThat(apiKey).containsEntry("type", "apiKey").containsEntry("in", "header").containsEntry("name", "X-API-Key");
        assertThat(document.getList("security")).as("the key is required by default").isNotEmpty();
    }
}
