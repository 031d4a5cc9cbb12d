package dev.dataaction.retry.support;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** Stubs the answers of one Data Action on the {@link GenesysStub}'s execute endpoint. */
public final class GenesysActions {

    private GenesysActions() {
    }

    /** A new action id, so that no two tests share a circuit breaker or an idempotency key. */
    public static String newActionId() {
        return Retries.newActionId();
    }

    /** The action answers with {@code answers} in turn, then keeps giving the last one. */
    public static void answers(String actionId, ResponseDefinitionBuilder... answers) {
        GenesysStub.stubSequence(GenesysStub.executePath(actionId), answers);
    }

    /** A JSON answer with status {@code status}. */
    public static ResponseDefinitionBuilder json(int status, String body) {
        return GenesysStub.json(status, body);
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
