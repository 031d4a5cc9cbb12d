package dev.dataaction.retry.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests that do not carry the test API key that {@link GenesysStub} adds to every request. */
public final class Callers {

    private Callers() {
    }

    /** A request without an {@code X-API-Key} header, as a probe or a scraper sends it. */
    public static RequestSpecification withoutApiKey() {
        return RestAssured.given().noFilters();
    }

    /** A request presenting {@code key} instead of the test API key. */
    public static RequestSpecification withApiKey(String key) {
        return RestAssured.given().header("X-API-Key", key);
    }
}
