package dev.dataaction.retry.architect;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import dev.dataaction.retry.architect.DataActionRuntime.RenderedRequest;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The Data Actions of {@code deploy/genesys} called as an Architect flow calls them: each request rendered from the
 * action's templates with the flow's inputs and the integration's credentials, sent to the running service, and its
 * answer turned into the flow's outputs through the translation map and the success template. Inputs with quotes,
 * backslashes, non-ASCII text, line breaks and nested JSON reach the service intact, {@code flatten} is stored and passed
 * on to Genesys, and what the flow gets back is the retry the service stored.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
public class DataActionKitTest {

    private static final DataAction SUBMIT = DataAction.load(DataAction.SUBMIT_RETRY);
    private static final DataAction STATUS = DataAction.load(DataAction.RETRY_STATUS);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @TestHTTPResource("/")
    URL root;

    static Stream<Arguments> failedExecutions() {
        return Stream.of(
                Arguments.of("quotes, backslashes, slashes and template syntax",
                        "conv-1 \"Main\" \\queue\\ a/b $input.actionId #if(true)x#end ${esc} 100%",
                        "{\"note\":\"say \\\"hi\\\" \\\\ /\",\"path\":\"C:\\\\temp\"}", null),
                Arguments.of("non-ASCII text", "Zoë 😀 ü / \"conv-2\"",
                        "{\"name\":\"Zoë 😀 ü\",\"city\":\"Köln\"}", true),
                Arguments.of("line breaks in the payload", "conv-3/step \"Lookup\"",
                        "{\n  \"note\": \"line one\\nline two\",\n  \"raw\": \"tab\\there\"\n}", false),
                Arguments.of("a nested payload", "conv-4/CRM lookup",
                        "{\"customer\":{\"id\":\"C-1001\",\"tags\":[\"vip\",\"late\"],\"orders\":[{\"id\":1,\"lines\":"
                                + "[{\"sku\":\"A\",\"qty\":2}]},{\"id\":2,\"lines\":[]}]},\"flags\":{\"x\":true,\"y\":null},"
                                + "\"count\":3,\"ratio\":0.5}",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failedExecutions")
    void aSubmissionReachesTheServiceIntactAndGivesTheFlowTheRetry(String label, String originalRunId, String payload,
            Boolean flatten) throws Exception {
        String actionId = genesysActionId();
        answers(actionId, GenesysStub.ok("{\"ticket\":\"T-1\"}"));

        RenderedRequest request = DataActionRuntime.request(SUBMIT, submission(actionId, originalRunId, payload, flatten),
                credentials());
        assertThat(request.url()).isEqualTo(baseUrl() + "/v1/retries");
        assertThat(request.headers()).containsEntry("X-API-Key", GenesysStub.API_KEY);
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.path("flatten").isBoolean()).as("%s: flatten in %s", label, request.body()).isTrue();
        assertThat(body.path("flatten").booleanValue()).isEqualTo(Boolean.TRUE.equals(flatten));
        Response answer = send(request);

        assertThat(answer.statusCode()).as("%s: %s", label, answer.asString()).isEqualTo(202);
        String location = answer.header("Location");
        String requestId = location.substring(location.lastIndexOf('/') + 1);
        JsonNode output = DataActionRuntime.output(SUBMIT, answer.asString());
        assertThat(output.path("requestId").asText()).isEqualTo(requestId);
        assertThat(output.path("status").asText()).isEqualTo("PENDING");

        JsonPath stored = Retries.record(requestId);
        assertThat(stored.getString("actionId")).isEqualTo(actionId);
        assertThat(stored.getString("originalRunId")).isEqualTo(originalRunId);
        assertThat(stored.getBoolean("flatten")).as("%s: flatten stored", label).isEqualTo(Boolean.TRUE.equals(flatten));

        Retries.awaitStatus(requestId, "SUCCEEDED");
        List<ServeEvent> executions = executions(actionId);
        assertThat(executions).hasSize(1);
        assertThat(executions.get(0).getRequest().getUrl()).as("%s: flattened output asked of Genesys", label)
                .isEqualTo(Boolean.TRUE.equals(flatten) ? executePath(actionId) + "?flatten=true" : executePath(actionId));
        assertThat(JSON.readTree(new String(executions.get(0).getRequest().getBody(), StandardCharsets.UTF_8)))
                .as("%s: the payload Genesys receives again", label).isEqualTo(JSON.readTree(payload));
    }

    @Test
    void aRepeatedSubmissionGivesTheFlowTheSameRetry() {
        String actionId = genesysActionId();
        answers(actionId, GenesysStub.rateLimited("1"), GenesysStub.ok("{}"));
        Map<String, Object> inputs = submission(actionId, "conv-5/Lookup \"again\"", "{\"customerId\":\"C-1\"}", null);

        Response first = send(DataActionRuntime.request(SUBMIT, inputs, credentials()));
        Response whileUnfinished = send(DataActionRuntime.request(SUBMIT, inputs, credentials()));

        assertThat(first.statusCode()).as(first.asString()).isEqualTo(202);
        String requestId = DataActionRuntime.output(SUBMIT, first.asString()).path("requestId").asText();
        assertThat(whileUnfinished.statusCode()).as(whileUnfinished.asString()).isEqualTo(200);
        JsonNode repeated = DataActionRuntime.output(SUBMIT, whileUnfinished.asString());
        assertThat(repeated.path("requestId").asText()).isEqualTo(requestId);
        assertThat(repeated.path("status").asText()).isIn("PENDING", "IN_FLIGHT");

        Retries.awaitStatus(requestId, "SUCCEEDED");
        Response afterSuccess = send(DataActionRuntime.request(SUBMIT, inputs, credentials()));
        assertThat(afterSuccess.statusCode()).isEqualTo(200);
        JsonNode succeeded = DataActionRuntime.output(SUBMIT, afterSuccess.asString());
        assertThat(succeeded.path("requestId").asText()).isEqualTo(requestId);
        assertThat(succeeded.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(executions(actionId)).as("the repeats executed nothing").hasSize(2);
    }

    @Test
    void aRefusedSubmissionIsTheActionsFailure() throws Exception {
        String actionId = genesysActionId();
        RenderedRequest lineBreak = DataActionRuntime.request(SUBMIT,
                submission(actionId, "conv-6\nLookup", "{}", null), credentials());

        Response invalid = send(lineBreak);

        assertThat(JSON.readTree(lineBreak.body()).path("originalRunId").asText()).as("valid JSON, line break and all")
                .isEqualTo("conv-6\nLookup");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.<List<String>> path("errors.field")).containsExactly("originalRunId");

        String waiting = genesysActionId();
        Retries.fillQueue(waiting, Retries.queueCapacity());
        Response queueFull = send(DataActionRuntime.request(SUBMIT, submission(actionId, "conv-7", "{}", null),
                credentials()));

        assertThat(queueFull.statusCode()).isEqualTo(429);
        assertThat(queueFull.header("Retry-After")).isNotBlank();
    }

    @Test
    void theStatusOfAFailedRetryCarriesItsAttemptsAndLastError() {
        String actionId = genesysActionId();
        answers(actionId, GenesysStub.genesysError(400, "bad.request", "remote said no", "ctx-1"));
        String requestId = submitted(actionId, "conv-8/Lookup");
        Retries.awaitStatus(requestId, "FAILED");

        JsonNode status = readStatus(requestId);

        assertThat(status.path("requestId").asText()).isEqualTo(requestId);
        assertThat(status.path("status").asText()).isEqualTo("FAILED");
        assertThat(status.path("attemptCount").asInt()).isEqualTo(1);
        assertThat(status.path("lastErrorCode").asText()).isEqualTo("bad.request");
    }

    @Test
    void theStatusOfARetryWithoutErrorHasAnEmptyErrorCode() {
        String actionId = genesysActionId();
        answers(actionId, GenesysStub.ok("{}"));
        String requestId = submitted(actionId, "conv-9/Lookup");
        Retries.awaitStatus(requestId, "SUCCEEDED");

        JsonNode status = readStatus(requestId);

        assertThat(status.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(status.path("attemptCount").asInt()).isEqualTo(1);
        assertThat(status.path("lastErrorCode").isTextual()).isTrue();
        assertThat(status.path("lastErrorCode").asText()).isEmpty();
    }

    @Test
    void theStatusCountsEveryAttempt() {
        String actionId = genesysActionId();
        answers(actionId, GenesysStub.rateLimited("1"), GenesysStub.ok("{}"));
        String requestId = submitted(actionId, "conv-10/Lookup");
        Retries.awaitStatus(requestId, "SUCCEEDED");

        JsonNode status = readStatus(requestId);

        assertThat(status.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(status.path("attemptCount").asInt()).isEqualTo(2);
        assertThat(status.path("lastErrorCode").asText()).isEqualTo("too.many.requests");
    }

    @Test
    void anUnknownRetryIsTheStatusActionsFailure() {
        RenderedRequest unknown = DataActionRuntime.request(STATUS, Map.of("requestId", UUID.randomUUID().toString()),
                credentials());
        RenderedRequest notAnId = DataActionRuntime.request(STATUS, Map.of("requestId", "not an/id?status=PENDING"),
                credentials());

        assertThat(notAnId.url()).as("one path segment, no query")
                .isEqualTo(baseUrl() + "/v1/retries/not+an%2Fid%3Fstatus%3DPENDING");
        for (RenderedRequest request : List.of(unknown, notAnId)) {
            Response answer = send(request);
            assertThat(answer.statusCode()).as(request.url()).isEqualTo(404);
            assertThat(answer.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "not-found");
        }
    }

    /** Submits through the submission action and returns the requestId the flow got. */
    private String submitted(String actionId, String originalRunId) {
        Response answer = send(DataActionRuntime.request(SUBMIT,
                submission(actionId, originalRunId, "{\"customerId\":\"C-1\"}", null), credentials()));
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(202);
        return DataActionRuntime.output(SUBMIT, answer.asString()).path("requestId").asText();
    }

    /** Reads a retry through the status action, as its flow outputs. */
    private JsonNode readStatus(String requestId) {
        RenderedRequest request = DataActionRuntime.request(STATUS, Map.of("requestId", requestId), credentials());
        assertThat(request.url()).isEqualTo(baseUrl() + "/v1/retries/" + requestId);
        assertThat(request.body()).isNull();
        Response answer = send(request);
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        return DataActionRuntime.output(STATUS, answer.asString());
    }

    /** The inputs of the submission action as Architect passes them; an unset flatten is left out. */
    private static Map<String, Object> submission(String actionId, String originalRunId, String payload,
            Boolean flatten) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("actionId", actionId);
        inputs.put("originalRunId", originalRunId);
        inputs.put("requestPayload", payload);
        if (flatten != null) {
            inputs.put("flatten", flatten);
        }
        return inputs;
    }

    /** The integration's User Defined credentials: the service's address and the key it accepts. */
    private Map<String, String> credentials() {
        return Map.of("baseUrl", baseUrl(), "apiKey", GenesysStub.API_KEY);
    }

    private String baseUrl() {
        String url = root.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Sends a rendered request as it was rendered: the body as UTF-8 bytes and the headers as they are, without the API
     * key that RestAssured adds by default (the rendered header carries it) or a charset added to the content type.
     */
    private static Response send(RenderedRequest request) {
        RequestSpecification spec = given()
                .config(RestAssured.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .headers(request.headers());
        if (request.body() != null) {
            spec.body(request.body().getBytes(StandardCharsets.UTF_8));
        }
        return spec.request(request.method(), request.url());
    }

    /** The action answers with {@code answers} in turn, whatever the query of its execute URL. */
    private static void answers(String actionId, ResponseDefinitionBuilder... answers) {
        GenesysStub.stubSequence(() -> post(urlPathEqualTo(executePath(actionId))), actionId, answers);
    }

    /** The executions of an action that reached the stub, whatever their query. */
    private static List<ServeEvent> executions(String actionId) {
        return GenesysStub.server().getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().startsWith(executePath(actionId)))
                .toList();
    }

    /** A new action id in the form Genesys gives custom actions, {@code custom_-_<uuid>}. */
    private static String genesysActionId() {
        return "custom_-_" + UUID.randomUUID();
    }
}
