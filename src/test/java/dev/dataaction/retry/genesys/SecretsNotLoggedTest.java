package dev.dataaction.retry.genesys;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.http.Fault;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The OAuth client secret and the access token never appear in what the service logs, in a retry record or in a
 * problem body, whatever happens on the way: token refreshes, a login service that refuses us, errors and broken
 * connections.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class SecretsNotLoggedTest {

    private static final String BASIC_CREDENTIALS = Base64.getEncoder()
            .encodeToString((GenesysStub.CLIENT_ID + ":" + GenesysStub.CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();
    private final LogCapture logs = cleanSlate.capture(LogCapture.ROOT);

    @Test
    void secretsStayOutOfLogsRecordsAndProblems() {
        String actionId = Retries.newActionId();
        List<String> answers = new ArrayList<>();
        List<String> ids = new ArrayList<>();

        // a success, a 401 and its token refresh, Genesys errors and a broken connection
        GenesysStub.stubSequence(executePath(actionId + "-ok"), ok("{\"ok\":true}"));
        GenesysStub.stubSequence(executePath(actionId + "-401"),
                genesysError(401, "authentication.required", "bad token", "c1"), ok("{}"));
        GenesysStub.stubSequence(executePath(actionId + "-400"), GenesysStub.json(400, """
                {"message":"remote endpoint failed","code":"bad.request","status":400,"contextId":"c2",
                 "details":[{"errorCode":"ACTION.REMOTE_ENDPOINT"}]}"""));
        GenesysStub.stubSequence(executePath(actionId + "-reset"), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                ok("{}"));
        for (String suffix : List.of("-ok", "-401", "-400", "-reset")) {
            ids.add(Retries.submitNew(actionId + suffix, "run-1"));
        }
        ids.forEach(id -> answers.add(Retries.awaitRecord(id, Retries::isFinished, "a terminal status").prettify()));

        // the login service refuses the client: the OIDC client reports it
        var refusal = GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(GenesysStub.json(401, "{\"error\":\"invalid_client\",\"description\":\"client not found\"}")));
        GenesysStub.stubSequence(executePath(actionId + "-login"),
                genesysError(401, "authentication.required", "bad token", "c3"), ok("{}"));
        String held = Retries.submitNew(actionId + "-login", "run-1");
        answers.add(Retries.awaitRecord(held, record -> "token.unavailable".equals(record.getString("lastError.code")),
                "held for want of a token").prettify());
        GenesysStub.server().removeStub(refusal);
        answers.add(Retries.awaitStatus(held, "SUCCEEDED").prettify());

        // problems of every kind
        answers.add(Retries.submit(Map.of("actionId", "bad id", "requestPayload", List.of())).asString());
        answers.add(Retries.submit("{\"actionId\":").asString());
        answers.add(given().get("/v1/retries/" + UUID.randomUUID()).asString());
        answers.add(Retries.cancel(ids.get(0)).asString());
        answers.add(given().queryParam("limit", 0).get("/v1/retries").asString());
        answers.add(given().queryParam("actionId", actionId + "-ok").get("/v1/retries").asString());

        assertThat(answers).allSatisfy(answer -> assertThat(answer).doesNotContain(GenesysStub.CLIENT_SECRET)
                .doesNotContain(GenesysStub.ACCESS_TOKEN).doesNotContain(BASIC_CREDENTIALS));
        assertThat(logs.records().size()).as("the scenario logs something worth checking").isPositive();
        assertThat(logs.text()).doesNotContain(GenesysStub.CLIENT_SECRET).doesNotContain(GenesysStub.ACCESS_TOKEN)
                .doesNotContain(BASIC_CREDENTIALS);
    }

    @Test
    void captureSeesWhatTheApplicationLogs() {
        Logger.getLogger("dev.dataaction.retry.probe").warning("canary " + GenesysStub.CLIENT_ID);

        assertThat(logs.text()).contains("canary " + GenesysStub.CLIENT_ID);
    }
}
