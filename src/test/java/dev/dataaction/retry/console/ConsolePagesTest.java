package dev.dataaction.retry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The console over HTTP, as a browser meets it before any script runs: the sign-in and its cookie, the door for requests
 * without a session, the pages' content, the form token, and the headers that keep pages private. The browser tests
 * drive the same pages through Chromium; these also run against the packaged application. They share the browser tests'
 * application, whose refused sign-ins then count against no other test's share of logged refusals.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ConsoleProfile.class)
class ConsolePagesTest {

    private static final Pattern CSRF = Pattern.compile("<meta name=\"csrf-token\" content=\"([^\"]+)\">");

    @Test
    void signingInSetsAPrivateSessionCookieAndLeadsToTheOverview() {
        Response signedIn = signIn(GenesysStub.API_KEY);

        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.header("Location")).endsWith("/console");
        String cookie = signedIn.header("Set-Cookie");
        assertThat(cookie).startsWith("orchestrator-console=").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Path=/console").contains("Max-Age=28800").doesNotContain(GenesysStub.API_KEY);
        assertThat(cookie).as("plain HTTP here; Secure is set behind TLS").doesNotContain("Secure");
        Response overview = as(signedIn).get("/console");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.asString()).contains("id=\"status-counts\"", "id=\"attempts-chart\"",
                "id=\"signed-in-as\">unlabelled (operator)");
    }

    @Test
    void aWrongKeyAndNoKeyAreRefusedInTheSameWords() {
        for (String key : new String[] { "wrong-key", "" }) {
            Response refused = signIn(key);

            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.header("Set-Cookie")).isNull();
            assertThat(refused.asString()).contains("<p id=\"sign-in-error\" role=\"alert\">That key was not accepted.</p>");
        }
    }

    @Test
    void withoutASessionPagesLeadToTheSignInAndHtmxIsToldToGoThere() {
        Response page = Callers.withoutApiKey().redirects().follow(false).get("/console/retries");
        Response part = Callers.withoutApiKey().redirects().follow(false).header("HX-Request", "true")
                .get("/console/overview");
        Response forged = Callers.withoutApiKey().redirects().follow(false)
                .cookie("orchestrator-console", "b3BzfE9QRVJBVE9SfDk5OTk5OTk5OTl8eA.c2lnbmF0dXJl").get("/console");

        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.header("Location")).endsWith("/console/sign-in");
        assertThat(part.statusCode()).isEqualTo(401);
        assertThat(part.header("HX-Redirect")).isEqualTo("/console/sign-in");
        assertThat(forged.statusCode()).as("a cookie this service did not sign").isEqualTo(303);
    }

    @Test
    void aRetryShowsItsTimelineAndItsFailureGroup() {
        String actionId = Retries.newActionId();
        GenesysActions.answers(actionId, GenesysActions.unavailable(),
                GenesysActions.json(400, GenesysActions.error(400, "bad.request", "The CRM refused the lookup")));
        String requestId = Retries.submitAccepted(actionId);
        Retries.awaitStatus(requestId, "FAILED");
        Response signedIn = signIn(GenesysStub.API_KEY);

        String retry = as(signedIn).get("/console/retries/" + requestId).then().statusCode(200).extract().asString();
        String failures = as(signedIn).get("/console/failures").then().statusCode(200).extract().asString();
        String listed = as(signedIn).get("/console/retries?status=FAILED&actionId=" + actionId).then().statusCode(200)
                .extract().asString();
        String confirmation = as(signedIn).queryParam("actionId", actionId).queryParam("code", "bad.request")
                .get("/console/failures/redrive").then().statusCode(200).extract().asString();

        assertThat(retry).contains("<dd id=\"retry-status\" class=\"status-FAILED\">FAILED</dd>",
                "<code id=\"correlation-id\">" + requestId + "</code>", "bad.request", "The CRM refused the lookup");
        assertThat(count(retry, "<li class=\"attempt\">")).isEqualTo(2);
        assertThat(retry).contains("of backoff after a server error").doesNotContain("id=\"payload\"");
        assertThat(failures).contains("data-action-id=\"" + actionId + "\" data-code=\"bad.request\"");
        assertThat(listed).contains("data-request-id=\"" + requestId + "\" data-status=\"FAILED\"");
        assertThat(confirmation).contains("Redrive 1 dead letter of " + actionId + " (bad.request)?",
                "<form id=\"confirm\"");
    }

    @Test
    void aDryRunShowsGenesysReportOnTheRetrysPageAndLeavesTheRetryAsItWas() {
        String actionId = Retries.newActionId();
        GenesysActions.answers(actionId,
                GenesysActions.json(400, GenesysActions.error(400, "bad.request", "The CRM refused the lookup")));
        GenesysStub.stubSequence(GenesysStub.testPath(actionId), GenesysStub.testReport(null,
                GenesysActions.error(400, "bad.request", "Still <refused> by the CRM")),
                GenesysStub.testReport("{\"ticket\":\"T-5\"}", null));
        String requestId = Retries.submitAccepted(actionId);
        Retries.awaitStatus(requestId, "FAILED");
        Response signedIn = signIn(GenesysStub.API_KEY);
        String token = csrf(as(signedIn).get("/console/retries/" + requestId).asString());

        String failing = as(signedIn).formParam("csrf", token).post("/console/retries/" + requestId + "/test").then()
                .statusCode(200).extract().asString();
        String passing = as(signedIn).formParam("csrf", token).post("/console/retries/" + requestId + "/test").then()
                .statusCode(200).extract().asString();
        Response withoutToken = as(signedIn).post("/console/retries/" + requestId + "/test");

        assertThat(failing).contains("id=\"dry-run-report\"",
                "The action failed: Still &lt;refused&gt; by the CRM",
                "<li class=\"dry-run-step\" data-success=\"false\">Execute request: <span class=\"step-error\">")
                .doesNotContain("id=\"dry-run-result\"");
        assertThat(passing).contains("The action succeeded in ", "id=\"dry-run-result\"", "&quot;T-5&quot;");
        assertThat(passing).as("the retry stays as it was").contains("class=\"status-FAILED\">FAILED</dd>");
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        assertThat(GenesysStub.countOf(GenesysStub.testPath(actionId))).isEqualTo(2);
    }

    @Test
    void aFormWithoutItsTokenChangesNothing() {
        String actionId = Retries.newActionId();
        Response signedIn = signIn(GenesysStub.API_KEY);
        String token = csrf(as(signedIn).get("/console/actions").asString());

        Response withoutToken = as(signedIn).redirects().follow(false).formParam("reason", "no token")
                .post("/console/actions/" + actionId + "/pause");
        Response withAnotherSessionsToken = as(signedIn).redirects().follow(false).formParam("reason", "stale")
                .formParam("csrf", csrf(as(signIn(GenesysStub.API_KEY)).get("/console/actions").asString()))
                .post("/console/actions/" + actionId + "/pause");

        assertThat(withoutToken.statusCode()).isEqualTo(403);
        assertThat(withoutToken.asString()).contains("<h1 id=\"refused\">", "form expired");
        assertThat(withAnotherSessionsToken.statusCode()).isEqualTo(403);
        assertThat(RestAssured.given().get("/v1/actions/" + actionId).statusCode()).as("nothing was paused")
                .isEqualTo(404);
        Response paused = as(signedIn).redirects().follow(false).formParam("csrf", token).formParam("reason", "CRM down")
                .post("/console/actions/" + actionId + "/pause");
        assertThat(paused.statusCode()).isEqualTo(303);
        assertThat(RestAssured.given().get("/v1/actions/" + actionId).jsonPath().getString("pauseReason"))
                .isEqualTo("CRM down");
        RestAssured.given().post("/v1/actions/" + actionId + "/resume").then().statusCode(200);
    }

    @Test
    void pagesAndTheirAssetsComeFromTheServiceAndAreKeptPrivate() {
        Response page = as(signIn(GenesysStub.API_KEY)).get("/console/failures");

        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'", "frame-ancestors 'none'");
        assertThat(page.asString()).contains("src=\"/webjars/htmx.org/dist/htmx.min.js\"");
        Callers.withoutApiKey().get("/webjars/htmx.org/dist/htmx.min.js").then().statusCode(200);
        Callers.withoutApiKey().get("/console/static/console.css").then().statusCode(200);
    }

    private static Response signIn(String key) {
        return Callers.withoutApiKey().redirects().follow(false).formParam("key", key).post("/console/sign-in");
    }

    private static RequestSpecification as(Response signedIn) {
        return Callers.withoutApiKey().cookie("orchestrator-console", signedIn.getCookie("orchestrator-console"));
    }

    private static String csrf(String page) {
        Matcher token = CSRF.matcher(page);
        assertThat(token.find()).as("the page's form token").isTrue();
        return token.group(1);
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
