package dev.dataaction.retry.traffic;

import static dev.dataaction.retry.support.Retries.PROBLEM_JSON;
import static dev.dataaction.retry.support.Retries.PROBLEM_TYPE_PREFIX;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * {@code /v1/actions} and {@code /v1/limits} as an operator uses them: which actions are shown, what their limits are,
 * how a change is set and undone, and what is refused, naming the field. The service's limits are shared by every test
 * of the application: each test that changes them returns them to the configured ones.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class ControlsApiTest {

    /** {@code orchestrator.limits.max-concurrent}'s default; the test profile sets no rate. */
    private static final int SERVICE_MAX_CONCURRENT = 10;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @AfterEach
    void restoreServiceLimits() {
        Traffic.restoreServiceLimits();
    }

    @Test
    void anActionIsListedOnceARetryOfItWasSeen() {
        String actionId = Retries.newActionId();
        GenesysActions.answers(actionId, GenesysActions.success("{}"));
        assertThat(listedIds()).doesNotContain(actionId);
        given().get("/v1/actions/" + actionId).then().statusCode(404);

        Retries.awaitStatus(Retries.submitAccepted(actionId), "SUCCEEDED");

        assertThat(listedIds()).contains(actionId);
        JsonPath action = Traffic.action(actionId);
        assertThat(action.getString("actionId")).isEqualTo(actionId);
        assertThat(action.getBoolean("paused")).isFalse();
        assertThat(action.getString("pauseReason")).isNull();
        assertThat(action.getString("breaker")).isEqualTo("CLOSED");
        assertThat(action.getString("rateLimitedUntil")).isNull();
        // neither set at run time nor configured: no limit of its own
        assertThat(action.getMap("configured")).containsEntry("maxConcurrent", null).containsEntry("maxPerSecond", null);
        assertThat(action.getMap("effective")).containsEntry("maxConcurrent", null).containsEntry("maxPerSecond", null);
        assertThat(action.getInt("inFlight")).isZero();
        assertThat(action.getInt("waiting")).isZero();
    }

    @Test
    void theActionsListedNewestLastAndConfiguredOnesFromTheStart() {
        String first = Retries.newActionId();
        String second = Retries.newActionId();
        GenesysActions.answers(first, GenesysActions.success("{}"));
        GenesysActions.answers(second, GenesysActions.success("{}"));

        Retries.awaitStatus(Retries.submitAccepted(first), "SUCCEEDED");
        Retries.awaitStatus(Retries.submitAccepted(second), "SUCCEEDED");

        List<String> listed = listedIds();
        assertThat(listed.indexOf(first)).as("least recently seen first").isLessThan(listed.indexOf(second));
        // an action named in the configuration is shown before any retry of it was seen, with its limits
        assertThat(listed).contains(TrafficProfile.CONFIGURED_ACTION);
        JsonPath configured = Traffic.action(TrafficProfile.CONFIGURED_ACTION);
        assertThat(configured.getInt("configured.maxConcurrent")).isEqualTo(3);
        assertThat(configured.getDouble("configured.maxPerSecond")).isEqualTo(40.0);
    }

    @Test
    void readingAnActionDoesNotCountAsSeeingIt() {
        String first = Retries.newActionId();
        String second = Retries.newActionId();
        GenesysActions.answers(first, GenesysActions.success("{}"));
        GenesysActions.answers(second, GenesysActions.success("{}"));
        Retries.awaitStatus(Retries.submitAccepted(first), "SUCCEEDED");
        Retries.awaitStatus(Retries.submitAccepted(second), "SUCCEEDED");

        // an operator looking at the first action has not retried it: the list stays in the order retries came
        Traffic.action(first);

        List<String> listed = listedIds();
        assertThat(listed.indexOf(first)).as("least recently seen first, after a GET of it").isLessThan(
                listed.indexOf(second));
    }

    @Test
    void aViewersKeyReadsButChangesNothing() {
        String actionId = Retries.newActionId();
        RequestSpecification viewer = Callers.withApiKey(TrafficProfile.VIEWER_KEY);

        Response paused = viewer.contentType(ContentType.JSON).body("{\"reason\":\"not mine to pause\"}")
                .post("/v1/actions/" + actionId + "/pause");
        Response limited = Callers.withApiKey(TrafficProfile.VIEWER_KEY).contentType(ContentType.JSON)
                .body("{\"maxConcurrent\":1}").put("/v1/limits");
        Response submitted = Callers.withApiKey(TrafficProfile.VIEWER_KEY).contentType(ContentType.JSON)
                .body("{\"actionId\":\"" + actionId + "\",\"originalRunId\":\"run-1\",\"requestPayload\":{}}")
                .post("/v1/retries");

        for (Response refused : List.of(paused, limited, submitted)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
            assertThat(refused.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "forbidden");
            assertThat(refused.jsonPath().getString("detail")).contains(TrafficProfile.VIEWER_LABEL)
                    .doesNotContain(TrafficProfile.VIEWER_KEY);
        }
        Callers.withApiKey(TrafficProfile.VIEWER_KEY).get("/v1/limits").then().statusCode(200);
        Callers.withApiKey(TrafficProfile.VIEWER_KEY).get("/v1/retries?actionId=" + actionId).then().statusCode(200)
                .body("size()", equalTo(0));
        assertThat(given().get("/v1/actions/" + actionId).statusCode()).as("the pause was not made").isEqualTo(404);
        assertThat(Traffic.serviceLimits().getInt("configured.maxConcurrent")).isEqualTo(SERVICE_MAX_CONCURRENT);
    }

    @Test
    void anUnknownActionIsNotFound() {
        String actionId = Retries.newActionId();

        Response answer = given().get("/v1/actions/" + actionId);

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        assertThat(answer.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "not-found");
        assertThat(answer.jsonPath().getInt("status")).isEqualTo(404);
        assertThat(answer.jsonPath().getString("detail")).contains(actionId);
    }

    @Test
    void anActionsLimitsAreSetReturnedAndReturnToNoneWhenNull() {
        String actionId = Retries.newActionId();

        // an action nobody has seen yet may be limited before its first retry comes
        JsonPath set = Traffic.limitAction(actionId, "{\"maxConcurrent\":3,\"maxPerSecond\":5.5}");

        assertThat(set.getString("actionId")).isEqualTo(actionId);
        assertThat(set.getInt("configured.maxConcurrent")).isEqualTo(3);
        assertThat(set.getDouble("configured.maxPerSecond")).isEqualTo(5.5);
        // one replica alone: its share is the whole limit, and nothing has lowered it yet
        assertThat(set.getInt("effective.maxConcurrent")).isEqualTo(3);
        assertThat(set.getDouble("effective.maxPerSecond")).isEqualTo(5.5);
        JsonPath read = Traffic.action(actionId);
        assertThat(read.getMap("configured")).isEqualTo(set.getMap("configured"));
        assertThat(read.getMap("effective")).isEqualTo(set.getMap("effective"));
        assertThat(listedIds()).as("a changed action is listed").contains(actionId);

        // a member that is absent returns to the configured value as a null one does: none here
        JsonPath rateOnly = Traffic.limitAction(actionId, "{\"maxPerSecond\":8}");
        assertThat(rateOnly.getMap("configured")).containsEntry("maxConcurrent", null);
        assertThat(rateOnly.getDouble("configured.maxPerSecond")).isEqualTo(8.0);

        JsonPath cleared = Traffic.limitAction(actionId, "{\"maxConcurrent\":null,\"maxPerSecond\":null}");
        assertThat(cleared.getMap("configured")).containsEntry("maxConcurrent", null).containsEntry("maxPerSecond", null);
        assertThat(cleared.getMap("effective")).containsEntry("maxConcurrent", null).containsEntry("maxPerSecond", null);
        assertThat(Traffic.action(actionId).getMap("configured")).isEqualTo(cleared.getMap("configured"));
    }

    @Test
    void nullReturnsAConfiguredActionToTheLimitsOfTheConfiguration() {
        String actionId = TrafficProfile.CONFIGURED_ACTION;
        try {
            JsonPath set = Traffic.limitAction(actionId, "{\"maxConcurrent\":7,\"maxPerSecond\":12}");
            assertThat(set.getInt("configured.maxConcurrent")).isEqualTo(7);
            assertThat(set.getDouble("configured.maxPerSecond")).isEqualTo(12.0);

            JsonPath back = Traffic.limitAction(actionId, "{\"maxConcurrent\":null,\"maxPerSecond\":null}");

            // orchestrator.actions."configured-action": max-concurrent 3, max-per-second 40
            assertThat(back.getInt("configured.maxConcurrent")).isEqualTo(3);
            assertThat(back.getDouble("configured.maxPerSecond")).isEqualTo(40.0);
            assertThat(back.getInt("effective.maxConcurrent")).isEqualTo(3);
            assertThat(back.getDouble("effective.maxPerSecond")).isEqualTo(40.0);
        } finally {
            Traffic.limitAction(actionId, "{}");
        }
    }

    @Test
    void theServicesLimitsAreSetReturnedAndReturnToTheConfiguredOnesWhenNull() {
        JsonPath configured = Traffic.serviceLimits();
        assertThat(configured.getInt("configured.maxConcurrent")).isEqualTo(SERVICE_MAX_CONCURRENT);
        assertThat(configured.getMap("configured")).containsEntry("maxPerSecond", null);
        assertThat(configured.getInt("replicas")).as("the memory store: one instance alone").isEqualTo(1);

        Response answer = Traffic.setServiceLimits("{\"maxConcurrent\":25,\"maxPerSecond\":50}");

        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        JsonPath set = answer.jsonPath();
        assertThat(set.getInt("configured.maxConcurrent")).isEqualTo(25);
        assertThat(set.getDouble("configured.maxPerSecond")).isEqualTo(50.0);
        // what 429s taught since the start is kept below the new ceiling, never above it
        assertThat(set.getInt("effective.maxConcurrent")).isBetween(1, 25);
        assertThat(set.getDouble("effective.maxPerSecond")).isPositive().isLessThanOrEqualTo(50.0);
        assertThat(Traffic.serviceLimits().getMap("configured")).isEqualTo(set.getMap("configured"));

        Response cleared = Traffic.setServiceLimits("{\"maxConcurrent\":null,\"maxPerSecond\":null}");

        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(cleared.jsonPath().getInt("configured.maxConcurrent")).isEqualTo(SERVICE_MAX_CONCURRENT);
        assertThat(cleared.jsonPath().getMap("configured")).containsEntry("maxPerSecond", null);
        assertThat(cleared.jsonPath().getInt("effective.maxConcurrent")).isBetween(1, SERVICE_MAX_CONCURRENT);
        assertThat(Traffic.serviceLimits().getMap("configured")).isEqualTo(cleared.jsonPath().getMap("configured"));
    }

    static Stream<Arguments> invalidLimits() {
        return Stream.of(
                Arguments.of("an unknown field", "{\"maxConcurrent\":2,\"burst\":3}", List.of("burst")),
                Arguments.of("a misspelt field", "{\"maxconcurrent\":2}", List.of("maxconcurrent")),
                Arguments.of("maxConcurrent 0", "{\"maxConcurrent\":0}", List.of("maxConcurrent")),
                Arguments.of("maxConcurrent negative", "{\"maxConcurrent\":-1}", List.of("maxConcurrent")),
                Arguments.of("maxConcurrent a fraction", "{\"maxConcurrent\":1.5}", List.of("maxConcurrent")),
                Arguments.of("maxConcurrent a string", "{\"maxConcurrent\":\"2\"}", List.of("maxConcurrent")),
                Arguments.of("maxConcurrent beyond an int", "{\"maxConcurrent\":3000000000}", List.of("maxConcurrent")),
                Arguments.of("maxPerSecond 0", "{\"maxPerSecond\":0}", List.of("maxPerSecond")),
                Arguments.of("maxPerSecond negative", "{\"maxPerSecond\":-0.5}", List.of("maxPerSecond")),
                Arguments.of("maxPerSecond a string", "{\"maxPerSecond\":\"fast\"}", List.of("maxPerSecond")),
                Arguments.of("both invalid", "{\"maxConcurrent\":0,\"maxPerSecond\":0}",
                        List.of("maxConcurrent", "maxPerSecond")),
                Arguments.of("an array", "[{\"maxConcurrent\":2}]", List.of("$")),
                Arguments.of("a string", "\"maxConcurrent=2\"", List.of("$")),
                Arguments.of("a number", "2", List.of("$")),
                Arguments.of("null", "null", List.of("$")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLimits")
    void invalidActionLimitsAreRefusedNamingTheFieldAndChangeNothing(String description, String body,
            List<String> fields) {
        String actionId = Retries.newActionId();
        Traffic.limitAction(actionId, "{\"maxConcurrent\":4}");

        Response answer = Traffic.setActionLimits(actionId, body);

        assertInvalid(answer, fields);
        assertThat(Traffic.action(actionId).getInt("configured.maxConcurrent")).as("unchanged").isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLimits")
    void invalidServiceLimitsAreRefusedNamingTheFieldAndChangeNothing(String description, String body,
            List<String> fields) {
        Map<String, Object> before = Traffic.serviceLimits().getMap("configured");

        Response answer = Traffic.setServiceLimits(body);

        assertInvalid(answer, fields);
        assertThat(Traffic.serviceLimits().getMap("configured")).as("unchanged").isEqualTo(before);
    }

    @Test
    void malformedJsonAndAnEmptyBodyAreRefused() {
        String actionId = Retries.newActionId();
        for (String body : List.of("{\"maxConcurrent\":", "{maxConcurrent: 2}", "")) {
            for (Response answer : List.of(Traffic.setActionLimits(actionId, body), Traffic.setServiceLimits(body))) {
                assertThat(answer.statusCode()).as("body <%s>: %s", body, answer.asString()).isEqualTo(400);
                assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
                assertThat(answer.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
                assertThat(answer.jsonPath().getString("detail")).isNotBlank();
            }
        }
        given().get("/v1/actions/" + actionId).then().statusCode(404);
        assertThat(Traffic.serviceLimits().getInt("configured.maxConcurrent")).isEqualTo(SERVICE_MAX_CONCURRENT);
    }

    @Test
    void invalidPauseBodiesAreRefusedNamingTheFieldAndPauseNothing() {
        String actionId = Retries.newActionId();
        Map<String, String> invalid = Map.of(
                "{\"reason\":5}", "reason",
                "{\"reason\":\"" + "r".repeat(501) + "\"}", "reason",
                "{\"why\":\"maintenance\"}", "why",
                "[\"maintenance\"]", "$");

        invalid.forEach((body, field) -> {
            Response answer = given().contentType(ContentType.JSON).body(body).post("/v1/actions/" + actionId + "/pause");
            assertInvalid(answer, List.of(field));
        });

        given().get("/v1/actions/" + actionId).then().statusCode(404);
    }

    @Test
    void aPauseWithoutABodyOrReasonIsAcceptedWithoutAReason() {
        String actionId = Retries.newActionId();
        try {
            JsonPath paused = given().post("/v1/actions/" + actionId + "/pause").then().statusCode(200).extract()
                    .jsonPath();
            assertThat(paused.getBoolean("paused")).isTrue();
            assertThat(paused.getString("pauseReason")).isNull();

            // a longest allowed reason is kept as given
            String longest = "r".repeat(500);
            assertThat(Traffic.pause(actionId, longest).getString("pauseReason")).isEqualTo(longest);
        } finally {
            assertThat(Traffic.resume(actionId).getBoolean("paused")).isFalse();
        }
        assertThat(Traffic.action(actionId).getString("pauseReason")).isNull();
    }

    static Stream<Arguments> invalidActionIds() {
        return Stream.of(
                Arguments.of("with a dot", "crm.lookup"),
                Arguments.of("with a colon", "crm:lookup"),
                Arguments.of("with a space", "crm lookup"),
                Arguments.of("of 129 characters", "a".repeat(129)));
    }

    @Test
    void genesysOwnActionIdsAreValidOnEveryRoute() {
        String actionId = "custom_-_" + java.util.UUID.randomUUID();

        Traffic.setActionLimits(actionId, "{\"maxConcurrent\":2}").then().statusCode(200);
        assertThat(Traffic.pause(actionId, "CRM down").getBoolean("paused")).isTrue();
        assertThat(Traffic.resume(actionId).getBoolean("paused")).isFalse();
        assertThat(Traffic.action(actionId).getString("actionId")).isEqualTo(actionId);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidActionIds")
    void anInvalidActionIdInThePathIsRefusedOnEveryRoute(String description, String actionId) {
        List<Response> answers = List.of(
                given().get("/v1/actions/" + actionId),
                Traffic.setActionLimits(actionId, "{\"maxConcurrent\":2}"),
                given().contentType(ContentType.JSON).body("{}").post("/v1/actions/" + actionId + "/pause"),
                given().post("/v1/actions/" + actionId + "/resume"));

        answers.forEach(answer -> assertInvalid(answer, List.of("actionId")));
    }

    @Test
    void theLongestValidActionIdIsAccepted() {
        String actionId = "A-" + "z".repeat(90) + "-" + Retries.newActionId().substring(2, 37);
        assertThat(actionId).hasSize(128);

        assertThat(Traffic.limitAction(actionId, "{\"maxConcurrent\":2}").getString("actionId")).isEqualTo(actionId);
        Traffic.limitAction(actionId, "{}");
    }

    /** Every route of the controls, called as {@code caller} would. */
    private static Stream<Arguments> routes() {
        String actionId = "never-changed-by-a-refused-call";
        Map<String, BiFunction<RequestSpecification, String, Response>> routes = Map.of(
                "GET /v1/actions", (as, id) -> as.get("/v1/actions"),
                "GET /v1/actions/{id}", (as, id) -> as.get("/v1/actions/" + id),
                "PUT /v1/actions/{id}/limits", (as, id) -> Traffic.setActionLimits(as, id, "{\"maxConcurrent\":1}"),
                "POST /v1/actions/{id}/pause", (as, id) -> as.contentType(ContentType.JSON).body("{\"reason\":\"x\"}")
                        .post("/v1/actions/" + id + "/pause"),
                "POST /v1/actions/{id}/resume", (as, id) -> as.post("/v1/actions/" + id + "/resume"),
                "GET /v1/limits", (as, id) -> as.get("/v1/limits"),
                "PUT /v1/limits", (as, id) -> Traffic.setServiceLimits(as, "{\"maxConcurrent\":1}"));
        return routes.entrySet().stream().map(route -> Arguments.of(route.getKey(), route.getValue(), actionId));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void everyRouteNeedsAValidApiKey(String route, BiFunction<RequestSpecification, String, Response> call,
            String actionId) {
        for (Response refused : List.of(call.apply(Callers.withoutApiKey(), actionId),
                call.apply(Callers.withApiKey("not-a-key"), actionId),
                call.apply(Callers.withApiKey(TrafficProfile.OPS_LABEL), actionId))) {
            assertThat(refused.statusCode()).as(route).isEqualTo(401);
            assertThat(refused.contentType()).startsWith(PROBLEM_JSON);
            assertThat(refused.jsonPath().getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "unauthorized");
        }

        // nothing was changed by the refused calls
        given().get("/v1/actions/" + actionId).then().statusCode(404);
        assertThat(Traffic.serviceLimits().getInt("configured.maxConcurrent")).isEqualTo(SERVICE_MAX_CONCURRENT);
        // and every key of the configuration is let in
        for (String key : List.of(GenesysStub.API_KEY, TrafficProfile.OPS_KEY, TrafficProfile.OTHER_KEY)) {
            Callers.withApiKey(key).get("/v1/limits").then().statusCode(200);
        }
    }

    private static List<String> listedIds() {
        return given().get("/v1/actions").then().statusCode(200).extract().jsonPath().getList("actionId");
    }

    private static void assertInvalid(Response answer, List<String> fields) {
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        JsonPath problem = answer.jsonPath();
        assertThat(problem.getString("type")).isEqualTo(PROBLEM_TYPE_PREFIX + "invalid-request");
        assertThat(problem.getInt("status")).isEqualTo(400);
        assertThat(problem.getList("errors.field")).containsExactlyInAnyOrderElementsOf(fields);
        assertThat(problem.getList("errors.message", String.class)).allSatisfy(message -> assertThat(message).isNotBlank());
    }
}
