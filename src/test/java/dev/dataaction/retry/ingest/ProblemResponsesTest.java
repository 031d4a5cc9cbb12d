package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.dataaction.retry.support.CleanSlate;
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

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void unknownPathIsANotFoundProblem() {
        Response answer = given().get("/v1/nothing-here");

        assertProblem(answer, 404, "not-found");
    }

    /** Path segments a hostile caller might send as a requestId, already percent-encoded for the URL. */
    static Stream<Arguments> hostileRequestIds() {
        return Stream.of(
                Arguments.of("long", "x".repeat(2_000)),
                Arguments.of("markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
                Arguments.of("control characters", "a%0D%0AX-Injected:%20yes%00%1B%5B31m"),
                Arguments.of("almost a UUID", "6a1f1f53-35b4-4b5e-9d0c-8d4c9f0c2a11%3Cb%3E"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequestIds")
    void notFoundDoesNotEchoTheRequestIdSent(String kind, String segment) {
        for (Response answer : List.of(
                given().urlEncodingEnabled(false).get("/v1/retries/" + segment),
                given().urlEncodingEnabled(false).delete("/v1/retries/" + segment),
                given().urlEncodingEnabled(false).post("/v1/retries/" + segment + "/redrive"))) {

            assertProblem(answer, 404, "not-found");
            assertThat(answer.<String> path("detail")).isEqualTo("No retry with this requestId; a requestId is a UUID.");
        }
    }

    @Test
    void notFoundNamesAUuidOnlyInItsNormalForm() {
        String sent = "6A1F1F53-35B4-4B5E-9D0C-8D4C9F0C2A11";

        Response answer = given().get("/v1/retries/" + sent);

        assertProblem(answer, 404, "not-found");
        assertThat(answer.<String> path("detail")).isEqualTo("No retry with requestId " + sent.toLowerCase(Locale.ROOT) + ".");
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
