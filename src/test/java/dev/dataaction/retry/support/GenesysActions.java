package dev.dataaction.retry.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

/** Stubs the answers of one Data Action on the {@link GenesysStub}'s execute endpoint. */
public final class GenesysActions {

    private GenesysActions() {
    }

    /** A new action id, so that no two tests share a circuit breaker or an idempotency key. */
    public static String newActionId() {
        return "a-" + UUID.randomUUID();
    }

    public static String executePath(String actionId) {
        return "/api/v2/integrations/actions/" + actionId + "/execute";
    }

    /** The action answers with {@code answers} in turn, then keeps giving the last one. */
    public static void answers(WireMockServer genesys, String actionId, ResponseDefinitionBuilder... answers) {
        String scenario = "answers of " + actionId;
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer " + i;
            var stub = post(urlEqualTo(executePath(actionId))).inScenario(scenario).whenScenarioStateIs(state)
                    .willReturn(answers[i]);
            if (i + 1 < answers.length) {
                stub = stub.willSetStateTo("answer " + (i + 1));
            }
            genesys.stubFor(stub);
        }
    }

    /** A JSON answer with status {@code status}. */
    public static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** A 2xx answer carrying the action's result. */
    public static ResponseDefinitionBuilder success(String result) {
        return json(200, result);
    }

    /** Genesys' rate limit, without a Retry-After. */
    public static ResponseDefinitionBuilder rateLimited() {
        return json(429, error(429, "too.many.requests", "Rate limit exceeded"));
    }

    /** Genesys' rate limit asking to wait {@code seconds}. */
    public static ResponseDefinitionBuilder rateLimited(int seconds) {
        return rateLimited().withHeader("Retry-After", Integer.toString(seconds));
    }

    public static ResponseDefinitionBuilder unavailable() {
        return json(503, error(503, "service.unavailable", "The remote endpoint is unavailable"));
    }

    /** Genesys' standard error body. */
    public static String error(int status, String code, String message) {
        return "{\"message\":\"" + message + "\",\"code\":\"" + code + "\",\"status\":" + status + "}";
    }
}
