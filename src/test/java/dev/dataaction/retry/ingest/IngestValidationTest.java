package dev.dataaction.retry.ingest;

import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** What {@code POST /v1/retries} refuses: every invalid field is named, and nothing invalid is queued or executed. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class IngestValidationTest {

    /** Marks a field to leave out of the request body. */
    private static final Object ABSENT = new Object();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /** A request body for {@code actionId}, with one field replaced or (with {@link #ABSENT}) removed. */
    private static Function<String, Object> with(String field, Object value) {
        return actionId -> {
            Map<String, Object> body = new LinkedHashMap<>(Retries.request(actionId, "run-1"));
            if (value == ABSENT) {
                body.remove(field);
            } else {
                body.put(field, value);
            }
            return body;
        };
    }

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                Arguments.of("every field missing", (Function<String, Object>) actionId -> Map.of(),
                        List.of("actionId", "originalRunId", "requestPayload")),
                Arguments.of("actionId missing", with("actionId", ABSENT), List.of("actionId")),
                Arguments.of("actionId null", with("actionId", null), List.of("actionId")),
                Arguments.of("actionId blank", with("actionId", "   "), List.of("actionId")),
                Arguments.of("actionId with a space", with("actionId", "my action"), List.of("actionId")),
                Arguments.of("actionId with a slash", with("actionId", "a/../b"), List.of("actionId")),
                Arguments.of("actionId of 129 characters", with("actionId", "a".repeat(129)), List.of("actionId")),
                Arguments.of("actionId a number", with("actionId", 42), List.of("actionId")),
                Arguments.of("originalRunId missing", with("originalRunId", ABSENT), List.of("originalRunId")),
                Arguments.of("originalRunId blank", with("originalRunId", " "), List.of("originalRunId")),
                Arguments.of("originalRunId of 257 characters", with("originalRunId", "r".repeat(257)),
                        List.of("originalRunId")),
                Arguments.of("originalRunId an object", with("originalRunId", Map.of("id", 1)), List.of("originalRunId")),
                // it is written to the audit trail: a line break would let a caller forge log lines
                Arguments.of("originalRunId with a line break", with("originalRunId", "run-1\nRETRY_SUCCESS requestId=x"),
                        List.of("originalRunId")),
                Arguments.of("originalRunId with a control character", with("originalRunId", "run-\u0007"),
                        List.of("originalRunId")),
                Arguments.of("requestPayload missing", with("requestPayload", ABSENT), List.of("requestPayload")),
                Arguments.of("requestPayload null", with("requestPayload", null), List.of("requestPayload")),
                Arguments.of("requestPayload an array", with("requestPayload", List.of(1, 2)), List.of("requestPayload")),
                Arguments.of("requestPayload a string", with("requestPayload", "{\"a\":1}"), List.of("requestPayload")),
                Arguments.of("every field of the wrong type", (Function<String, Object>) actionId -> Map.of(
                        "actionId", 7, "originalRunId", true, "requestPayload", 3.5),
                        List.of("actionId", "originalRunId", "requestPayload")),
                Arguments.of("a JSON array instead of an object",
                        (Function<String, Object>) actionId -> List.of(Retries.request(actionId, "run-1")), List.of("$")),
                Arguments.of("a JSON string instead of an object", (Function<String, Object>) actionId -> "\"text\"",
                        List.of("$")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRequests")
    void invalidRequestIsRefusedWithEveryInvalidFieldAndNothingIsQueued(String description,
            Function<String, Object> body, List<String> invalidFields) {
        String actionId = Retries.newActionId();

        Response answer = Retries.submit(body.apply(actionId));

        assertInvalidRequest(answer);
        assertThat(answer.jsonPath().getList("errors.field")).as(description)
                .containsExactlyInAnyOrderElementsOf(invalidFields);
        assertThat(answer.jsonPath().getList("errors.message", String.class)).allSatisfy(
                message -> assertThat(message).isNotBlank());
        assertNothingQueued(actionId);
    }

    @Test
    void errorMessagesSayWhatIsWrongWithoutQuotingTheSubmittedValue() {
        String actionId = Retries.newActionId();
        String secretLookingValue = "card-4111111111111111 x";

        Response answer = Retries.submit(Map.of("actionId", actionId + " x", "originalRunId", 12,
                "requestPayload", List.of(secretLookingValue)));

        assertInvalidRequest(answer);
        Map<String, String> messages = new LinkedHashMap<>();
        answer.jsonPath().getList("errors", Map.class)
                .forEach(error -> messages.put((String) error.get("field"), (String) error.get("message")));
        assertThat(messages).containsOnlyKeys("actionId", "originalRunId", "requestPayload");
        assertThat(messages.get("actionId")).contains("letters, digits");
        assertThat(messages.get("originalRunId")).contains("string");
        assertThat(messages.get("requestPayload")).contains("JSON object");
        assertThat(answer.asString()).doesNotContain(secretLookingValue).doesNotContain(actionId + " x");
        assertNothingQueued(actionId);
    }

    @Test
    void malformedJsonIsRefused() {
        String actionId = Retries.newActionId();

        Response answer = Retries.submit("{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{");

        assertInvalidRequest(answer);
        assertThat(answer.jsonPath().getString("detail")).contains("not valid JSON");
        assertNothingQueued(actionId);
    }

    @Test
    void emptyBodyIsRefused() {
        Response answer = given().contentType(ContentType.JSON).body("").when().post("/v1/retries");

        assertInvalidRequest(answer);
    }

    @Test
    void trailingContentAfterTheJsonObjectIsRefused() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(actionId), GenesysStub.ok("{}"));

        Response answer = Retries.submit("{\"actionId\":\"" + actionId
                + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{}} {\"actionId\":\"other\"}");

        assertInvalidRequest(answer);
        assertNothingQueued(actionId);
    }

    @Test
    void bodyOverOneMegabyteIsRefusedWith413AndNothingIsQueued() throws Exception {
        String actionId = Retries.newActionId();

        HttpResponse<String> answer = postAnnounced(oversized(actionId));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertNothingQueued(actionId);
    }

    @Test
    void bodyOverOneMegabyteIsAnsweredWithAProblem() throws Exception {
        String actionId = Retries.newActionId();

        HttpResponse<String> answer = postAnnounced(oversized(actionId));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith(PROBLEM_JSON));
        assertThat(answer.body()).contains("\"type\":\"" + PROBLEM_TYPE_PREFIX + "payload-too-large\"")
                .contains("\"status\":413");
    }

    @Test
    void chunkedBodyOverOneMegabyteIsAnsweredWithAProblemAndNothingIsQueued() throws Exception {
        String actionId = Retries.newActionId();

        HttpResponse<String> answer = postChunked(oversized(actionId));

        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith(PROBLEM_JSON));
        assertThat(answer.body()).contains("\"type\":\"" + PROBLEM_TYPE_PREFIX + "payload-too-large\"");
        assertNothingQueued(actionId);
    }

    @Test
    void chunkedBodyWithinTheLimitIsAccepted() throws Exception {
        String actionId = Retries.newActionId();

        HttpResponse<String> answer = postChunked(
                "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{}}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    /** A body of unknown length goes out chunked: there is no Content-Length to judge it by. */
    /** A retry request of more than a megabyte. */
    private static String oversized(String actionId) {
        return "{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{\"blob\":\""
                + "x".repeat(1_100_000) + "\"}}";
    }

    /** POSTs a body of unknown length, sent in chunks. */
    private static HttpResponse<String> postChunked(String body) throws IOException, InterruptedException {
        return post(HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers
                .ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))));
    }

    /**
     * POSTs a body of announced length as a well-behaved client sends a large upload: it waits for the server's go-ahead
     * ({@code Expect: 100-continue}), so that a refusal reaches it before it sends the body. A client that sends the
     * body at once may find the connection closed under it before it reads the 413.
     */
    private static HttpResponse<String> postAnnounced(String body) throws IOException, InterruptedException {
        return post(HttpRequest.newBuilder().expectContinue(true).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> post(HttpRequest.Builder request) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(request.uri(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/retries"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("X-API-Key", GenesysStub.API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void bodyThatIsNotJsonIsRefusedWith415() {
        String actionId = Retries.newActionId();

        Response answer = given().contentType(ContentType.TEXT).body("actionId=" + actionId).when().post("/v1/retries");

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        assertThat(answer.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "unsupported-media-type");
        assertNothingQueued(actionId);
    }

    @Test
    void longestAllowedValuesAndAnEmptyPayloadAreAccepted() {
        String actionId = "A-" + "z".repeat(90) + "-0123456789-" + Retries.newActionId().substring(2, 26);
        assertThat(actionId).hasSize(128).matches("^[a-zA-Z0-9-]+$");
        String originalRunId = "r".repeat(256);
        GenesysStub.stubSequence(GenesysStub.executePath(actionId), GenesysStub.ok("{\"done\":true}"));

        String id = Retries.submitNew(Retries.request(actionId, originalRunId, Map.of()));

        var record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getString("actionId")).isEqualTo(actionId);
        assertThat(record.getString("originalRunId")).isEqualTo(originalRunId);
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(actionId)))
                .singleElement().satisfies(request -> assertThat(request.getBodyAsString()).isEqualTo("{}"));
    }

    private static void assertInvalidRequest(Response answer) {
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        assertThat(answer.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        assertThat(answer.jsonPath().getString("title")).isNotBlank();
        assertThat(answer.jsonPath().getInt("status")).isEqualTo(400);
        assertThat(answer.jsonPath().getString("detail")).isNotBlank();
    }

    /** Nothing was stored for the action, and for a while afterwards nothing reaches Genesys. */
    static void assertNothingQueued(String actionId) {
        assertThat(Retries.listOf(actionId)).isEmpty();
        await("no call to Genesys").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> GenesysStub.apiRequests() == 0 && Retries.listOf(actionId).isEmpty());
    }
}
