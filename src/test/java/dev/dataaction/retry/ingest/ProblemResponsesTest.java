package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Errors the framework raises are answered as problems too, each with its stable type. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class ProblemResponsesTest {

    @BeforeEach
    void resetGenesys() {
        GenesysStub.reset();
    }

    @Test
    void unknownPathIsANotFoundProblem() {
        Response answer = given().get("/v1/nothing-here");

        assertProblem(answer, 404, "not-found");
    }

    @Test
    void unsupportedMethodIsAProblem() {
        Response answer = given().contentType(ContentType.JSON).body("{}").put("/v1/retries");

        assertProblem(answer, 405, "method-not-allowed");
    }

    @Test
    void unacceptableMediaTypeIsAProblem() {
        Response answer = given().accept("application/xml").get("/v1/retries");

        assertThat(answer.statusCode()).isEqualTo(406);
        assertThat(answer.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "not-acceptable");
    }

    @Test
    void problemsCarryNoStackTraceOrExceptionName() {
        Response answer = Retries.submit("{\"actionId\":[");

        assertThat(answer.asString()).doesNotContain("Exception").doesNotContain("at com.fasterxml");
    }

    private static void assertProblem(Response answer, int status, String type) {
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        assertThat(answer.<String> path("type")).isEqualTo(PROBLEM_TYPE_PREFIX + type);
        assertThat(answer.<Integer> path("status")).isEqualTo(status);
        assertThat(answer.<String> path("title")).isNotBlank();
    }
}
