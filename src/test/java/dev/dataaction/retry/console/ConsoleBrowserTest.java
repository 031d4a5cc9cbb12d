package dev.dataaction.retry.console;

import static dev.dataaction.retry.console.ConsolePages.textIn;
import static dev.dataaction.retry.console.ConsolePages.textOf;
import static dev.dataaction.retry.console.ConsoleProfile.OPERATOR_KEY;
import static dev.dataaction.retry.console.ConsoleProfile.OPERATOR_LABEL;
import static dev.dataaction.retry.console.ConsoleProfile.VIEWER_KEY;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.error;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.console.ConsolePages.Answer;
import dev.dataaction.retry.console.ConsolePages.RetryRow;
import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * The operator console in a real (headless) Chromium, as an operator and a viewer use it: signing in and out, the
 * overview, the retries list and one retry's timeline, redriving a failure group, pausing an action, revealing a payload,
 * and the refusals (a wrong key, a viewer acting, a form without its CSRF token). The retries are submitted and Genesys'
 * answers stubbed as in the API's tests; the pages are read only through the console's contract. Each test signs in
 * afresh and makes its own actions, so that the tests do not depend on their order. {@link ConsolePostgresBrowserTest}
 * runs the same scenarios on the PostgreSQL store.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ConsoleProfile.class)
public class ConsoleBrowserTest {

    /** The console's answer to any key it does not accept, whatever was wrong with it. */
    private static final String KEY_NOT_ACCEPTED = "That key was not accepted.";
    private static final String REASON = "CRM maintenance until 10:00";
    /** From a redrive to its retries' success on the list: one attempt each, far from any backoff. */
    private static final Duration REDRIVEN_SUCCEED = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final HeadlessChromium browser = new HeadlessChromium();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @TestHTTPResource("/")
    URL base;

    ConsolePages console;

    @BeforeEach
    void console() {
        console = new ConsolePages(browser, base);
    }

    @Test
    void theOverviewCountsTheRetriesSubmittedThroughTheApiByStatus() {
        console.signIn(OPERATOR_KEY);
        assertThat(console.signedInAs()).isEqualTo(OPERATOR_LABEL + " (operator)");
        assertThat(console.currentPath()).isEqualTo("/console");
        // other tests' retries are there too, all finished: this test's show as the difference they make
        Map<String, Long> before = console.statusCounts();
        assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(ConsolePages.STATUSES);

        String succeeding = Retries.newActionId();
        String failing = Retries.newActionId();
        String paused = Retries.newActionId();
        answers(succeeding, success("{}"));
        answers(failing, json(400, error(400, "bad.request", "Missing field")));
        answers(ConsoleProfile.ONE_ATTEMPT_ACTION, unavailable());
        pauseThroughApi(paused, REASON);
        try {
            List<String> succeeded = submit(succeeding, 3);
            List<String> failed = submit(failing, 2);
            String exhausted = Retries.submitAccepted(ConsoleProfile.ONE_ATTEMPT_ACTION);
            List<String> held = submit(paused, 2);
            Retries.cancel(held.get(1)).then().statusCode(200);
            succeeded.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
            failed.forEach(id -> Retries.awaitStatus(id, "FAILED"));
            Retries.awaitStatus(exhausted, "EXHAUSTED");
            Retries.awaitStatus(held.get(1), "CANCELLED");
            assertThat(Retries.record(held.get(0)).getString("status")).isEqualTo("PENDING");
            Map<String, Long> added = Map.of("PENDING", 1L, "IN_FLIGHT", 0L, "SUCCEEDED", 3L, "FAILED", 2L,
                    "EXHAUSTED", 1L, "CANCELLED", 1L);

            Map<String, Long> shown = reloadUntil("the overview to count this test's retries", "console",
                    () -> difference(console.statusCounts(), before), added::equals);

            assertThat(shown).isEqualTo(added);
            // the unfinished retries, as the API lists them, of a maximum
            assertThat(browser.visible("#backlog").getText().strip()).matches(unfinishedThroughApi() + " of \\d+");
            assertThat(browser.present("section#overview svg#attempts-chart").isDisplayed()).isTrue();
            assertThat(browser.present("ul#breakers, p#no-open-breakers")).isNotNull();
            assertThat(browser.visible("#token-state").getText()).isNotBlank();
            assertThat(browser.visible("#store-state").getText()).isNotBlank();
        } finally {
            resumeThroughApi(paused);
        }
    }

    @Test
    void theRetriesListFiltersByStatusAndActionAndPagesThroughMoreThanFifty() {
        String many = Retries.newActionId();
        String few = Retries.newActionId();
        answers(many, success("{}"));
        answers(few, json(400, error(400, "bad.request", "Missing field")));
        List<String> manyIds = submitBatch(many, 55);
        List<String> fewIds = submitBatch(few, 3);
        awaitAll(many, "SUCCEEDED", 55);
        awaitAll(few, "FAILED", 3);
        console.signIn(OPERATOR_KEY);
        console.open("console/retries");

        console.filterRetries("", many);

        List<RetryRow> firstPage = console.retryRows();
        assertThat(firstPage).hasSize(50).allSatisfy(row -> {
            assertThat(row.action()).isEqualTo(many);
            assertThat(row.status()).isEqualTo("SUCCEEDED");
        });
        assertThat(browser.shown("a#first-page")).as("a#first-page on the first page").isEmpty();
        console.submitWith(browser.visible("a#next-page"));
        List<RetryRow> secondPage = console.retryRows();
        assertThat(secondPage).hasSize(5).allSatisfy(row -> assertThat(row.action()).isEqualTo(many));
        assertThat(browser.shown("a#next-page")).as("a#next-page on the last page").isEmpty();
        List<String> shown = new ArrayList<>(ids(firstPage));
        shown.addAll(ids(secondPage));
        assertThat(shown).as("every retry once, over two pages").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(manyIds);
        assertNewestFirst(shown);
        console.submitWith(browser.visible("a#first-page"));
        assertThat(ids(console.retryRows())).isEqualTo(ids(firstPage));

        console.filterRetries("FAILED", few);
        assertThat(console.retryRows()).extracting(RetryRow::requestId).containsExactlyInAnyOrderElementsOf(fewIds);
        assertThat(console.retryRows()).allSatisfy(row -> assertThat(row.status()).isEqualTo("FAILED"));
        assertThat(browser.shown("a#next-page")).isEmpty();

        console.filterRetries("FAILED", many);
        assertThat(console.retryRows()).isEmpty();
        assertThat(browser.visible("p#no-retries").getText()).isNotBlank();

        console.filterRetries("FAILED", "");
        assertThat(console.retryRows()).extracting(RetryRow::status).containsOnly("FAILED");
        assertThat(ids(console.retryRows())).containsAll(fewIds);
    }

    @Test
    void aRetrysPageShowsEachAttemptAndTheWaitThatFollowedTheFirst() {
        String action = Retries.newActionId();
        answers(action, unavailable(), success("{\"ticket\":\"T-3\"}"));
        String id = Retries.submitAccepted(action);
        assertThat(Retries.awaitStatus(id, "SUCCEEDED").getList("attempts")).hasSize(2);
        console.signIn(OPERATOR_KEY);
        console.open("console/retries?actionId=" + action);

        console.submitWith(console.retryRow(id).findElement(By.cssSelector("a.retry-link")));

        assertThat(console.currentPath()).isEqualTo("/console/retries/" + id);
        assertThat(browser.visible("#retry-status").getText().strip()).isEqualTo("SUCCEEDED");
        assertThat(browser.visible("#correlation-id").getText().strip()).isEqualTo(id);
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(action)))
                .extracting(request -> request.getHeader("ININ-Correlation-Id")).containsExactly(id, id);
        List<WebElement> attempts = browser.driver().findElements(By.cssSelector("ol#timeline li.attempt"));
        assertThat(attempts).hasSize(2);
        WebElement first = attempts.get(0);
        WebElement second = attempts.get(1);
        assertThat(textOf(first, ".attempt-number")).containsPattern("\\b1\\b");
        assertThat(textOf(first, ".http-status")).contains("503");
        assertThat(textIn(first, ".wait")).as("the wait after the 503").hasValueSatisfying(
                wait -> assertThat(wait).isNotBlank());
        assertThat(textOf(second, ".attempt-number")).containsPattern("\\b2\\b");
        assertThat(textOf(second, ".http-status")).contains("200");
        assertThat(textIn(second, ".wait").filter(wait -> !wait.isBlank())).as("no wait after the last attempt")
                .isEmpty();
        for (WebElement attempt : attempts) {
            for (String field : List.of(".started-at", ".duration", ".outcome")) {
                assertThat(textIn(attempt, field)).as(field).hasValueSatisfying(text -> assertThat(text).isNotBlank());
            }
        }

        console.open("console/retries/" + UUID.randomUUID());
        assertThat(browser.responseStatus()).isEqualTo(404);
        assertThat(browser.visible("h1#not-found").getText()).isNotBlank();
    }

    @Test
    void anOperatorRedrivesAFailureGroupThroughItsConfirmationAndTheNewRetriesSucceed() {
        String action = Retries.newActionId();
        answers(action, json(400, error(400, "bad.request", "Missing field")));
        List<String> dead = submit(action, 3);
        dead.forEach(id -> Retries.awaitStatus(id, "FAILED"));
        String code = Retries.record(dead.get(0)).getString("lastError.code");
        // Genesys is fixed: the same payloads succeed now
        answers(action, success("{\"ticket\":\"T-4\"}"));
        console.signIn(OPERATOR_KEY);
        console.open("console/failures");

        WebElement group = console.failureGroup(action, code);
        assertThat(textOf(group, "td.dead")).isEqualTo("3");
        assertThat(textOf(group, "td.failing")).isEqualTo("0");
        assertThat(group.findElement(By.cssSelector("a.open-group")).getDomProperty("href"))
                .contains("/console/retries?").contains("actionId=" + action).contains("code=" + code);
        console.submitWith(group.findElement(By.cssSelector("a.redrive-group")));

        assertThat(browser.visible("p#confirm-question").getText()).contains("Redrive 3 dead letters")
                .contains(action).contains(code);
        console.submitWith(browser.visible("form#confirm button#confirm-button"));

        assertThat(console.currentPath()).startsWith("/console/retries?").contains("actionId=" + action);
        assertThat(console.notice()).isEqualTo("Redriven: 3 retries.");
        List<RetryRow> rows = reloadUntil("the redriven retries to succeed", console.currentPath(),
                console::retryRows,
                shown -> shown.stream().filter(row -> "SUCCEEDED".equals(row.status())).count() == 3,
                REDRIVEN_SUCCEED);
        assertThat(rows).extracting(RetryRow::status).containsExactlyInAnyOrder("SUCCEEDED", "SUCCEEDED", "SUCCEEDED",
                "FAILED", "FAILED", "FAILED");
        assertThat(rows).filteredOn(row -> "FAILED".equals(row.status())).extracting(RetryRow::requestId)
                .as("the dead letters stay as they were").containsExactlyInAnyOrderElementsOf(dead);
        assertThat(GenesysStub.countOf(GenesysStub.executePath(action))).isEqualTo(6);
        assertThat(audit.events("RETRIES_REDRIVEN")).singleElement().satisfies(event -> {
            assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL);
            assertThat(event.field("actionId")).isEqualTo(action);
            assertThat(event.field("code")).isEqualTo(code);
            assertThat(event.field("count")).isEqualTo("3");
        });
    }

    @Test
    void anOperatorPausesAnActionWithAReasonAndResumesIt() {
        String action = knownAction();
        console.signIn(OPERATOR_KEY);
        console.open("console/actions");
        WebElement row = console.actionRow(action);
        assertThat(textOf(row, "td.state")).isEqualTo("running");
        assertThat(textOf(row, "td.breaker")).isEqualTo("CLOSED");
        assertThat(row.findElements(By.cssSelector("form.resume-action"))).isEmpty();

        try {
            row.findElement(By.cssSelector("form.pause-action input[name=reason]")).sendKeys(REASON);
            console.submitWith(row.findElement(By.cssSelector("form.pause-action button.pause-button")));

            assertThat(console.currentPath()).startsWith("/console/actions");
            assertThat(console.notice()).isNotBlank();
            row = console.actionRow(action);
            assertThat(textOf(row, "td.state")).isEqualTo("paused: " + REASON);
            assertThat(row.findElements(By.cssSelector("form.pause-action"))).isEmpty();
            JsonPath paused = actionThroughApi(action);
            assertThat(paused.getBoolean("paused")).isTrue();
            assertThat(paused.getString("pauseReason")).isEqualTo(REASON);
            assertThat(audit.events("ACTION_PAUSED")).singleElement()
                    .satisfies(event -> assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL));

            console.submitWith(row.findElement(By.cssSelector("form.resume-action button.resume-button")));

            assertThat(console.notice()).isNotBlank();
            assertThat(textOf(console.actionRow(action), "td.state")).isEqualTo("running");
            assertThat(actionThroughApi(action).getBoolean("paused")).isFalse();
            assertThat(audit.events("ACTION_RESUMED")).singleElement()
                    .satisfies(event -> assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL));
        } finally {
            resumeThroughApi(action);
        }
    }

    @Test
    void revealingAPayloadShowsItAndWritesWhoLookedToTheAuditTrail() throws Exception {
        String action = Retries.newActionId();
        answers(action, success("{}"));
        String payload = "{\"customerId\":\"C-77\",\"note\":\"call back after 5\",\"items\":[1,2]}";
        String id = Retries.submitAccepted(action, "run-77", payload);
        Retries.awaitStatus(id, "SUCCEEDED");
        console.signIn(OPERATOR_KEY);
        console.open("console/retries/" + id);
        assertThat(browser.shown("pre#payload")).as("no payload before it is asked for").isEmpty();
        assertThat(browser.driver().getPageSource()).doesNotContain("C-77");

        console.submitWith(browser.visible("form#show-payload button#show-payload-button"));

        String shown = browser.visible("pre#payload").getText();
        assertThat(JSON.readTree(shown)).isEqualTo(JSON.readTree(payload));
        assertThat(shown).as("pretty-printed").contains("\n");
        assertThat(audit.events("PAYLOAD_VIEWED")).singleElement().satisfies(event -> {
            assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL);
            assertThat(event.field("requestId")).isEqualTo(id);
        });
    }

    @Test
    void afterSigningOutTheConsoleSendsTheBrowserBackToSignIn() {
        console.signIn(OPERATOR_KEY);
        Cookie session = browser.driver().manage().getCookieNamed(ConsolePages.SESSION_COOKIE);
        assertThat(session).as("the session cookie").isNotNull();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getPath()).isEqualTo("/console");
        assertThat((String) browser.script("return document.cookie;")).doesNotContain(ConsolePages.SESSION_COOKIE);
        console.open("console/retries");

        console.submitWith(browser.visible("form#sign-out button#sign-out-button"));

        assertThat(console.currentPath()).isEqualTo("/console/sign-in");
        browser.visible("form#sign-in");
        assertThat(browser.driver().manage().getCookieNamed(ConsolePages.SESSION_COOKIE)).isNull();
        for (String page : List.of("console", "console/retries", "console/actions")) {
            console.open(page);
            assertThat(console.currentPath()).as("/%s after signing out", page).isEqualTo("/console/sign-in");
            browser.visible("form#sign-in");
        }
        Response unsigned = Callers.withoutApiKey().redirects().follow(false).get("/console");
        assertThat(unsigned.statusCode()).isEqualTo(303);
        assertThat(unsigned.header("Location")).endsWith("/console/sign-in");
        assertThat(audit.events("CONSOLE_SIGNED_IN")).singleElement()
                .satisfies(event -> assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL));
        assertThat(audit.events("CONSOLE_SIGNED_OUT")).singleElement()
                .satisfies(event -> assertThat(event.field("by")).isEqualTo(OPERATOR_LABEL));
    }

    @Test
    void aViewerSeesNoActionFormsAndItsPostsFromThePageAreRefused() {
        String action = Retries.newActionId();
        answers(action, json(400, error(400, "bad.request", "Missing field")));
        String failed = Retries.submitAccepted(action);
        Retries.awaitStatus(failed, "FAILED");
        String code = Retries.record(failed).getString("lastError.code");
        // where the operator's forms post to and the redrive link leads, as an operator's pages say
        console.signIn(OPERATOR_KEY);
        console.open("console/actions");
        String pauseAddress = console.actionRow(action).findElement(By.cssSelector("form.pause-action"))
                .getDomProperty("action");
        console.open("console/retries/" + failed);
        String payloadAddress = browser.visible("form#show-payload").getDomProperty("action");
        console.open("console/failures");
        String confirmation = console.failureGroup(action, code).findElement(By.cssSelector("a.redrive-group"))
                .getDomProperty("href");

        console.signIn(VIEWER_KEY);

        console.open("console/actions");
        assertThat(console.signedInAs()).isEqualTo(ConsoleProfile.VIEWER_LABEL + " (viewer)");
        console.actionRow(action);
        assertThat(browser.shown("form.pause-action, form.resume-action, form.action-limits, form#service-limits, "
                + "button.pause-button, button.resume-button, button.limits-button, button#service-limits-button"))
                .as("action forms on a viewer's actions page").isEmpty();
        console.open("console/failures");
        console.failureGroup(action, code);
        assertThat(browser.shown("a.redrive-group, a.cancel-group")).as("a viewer's failures page").isEmpty();
        console.open("console/retries/" + failed);
        assertThat(browser.visible("#retry-status").getText().strip()).isEqualTo("FAILED");
        assertThat(browser.shown("form#redrive-retry, form#cancel-retry, form#show-payload, #redrive-button, "
                + "#cancel-button, #show-payload-button")).as("a viewer's retry page").isEmpty();

        console.open("console/actions");
        Answer pause = console.postFromPage(pauseAddress, Map.of("csrf", console.csrfToken(), "reason", REASON));
        Answer reveal = console.postFromPage(payloadAddress, Map.of("csrf", console.csrfToken()));

        assertThat(pause.status()).isEqualTo(403);
        assertThat(pause.refused()).as("the refusal page").contains("can view but not act");
        assertThat(actionThroughApi(action).getBoolean("paused")).isFalse();
        assertThat(audit.events("ACTION_PAUSED")).isEmpty();
        assertThat(reveal.status()).isEqualTo(403);
        assertThat(reveal.refused()).as("the refusal page").contains("can view but not act")
                .doesNotContain("customerId");
        assertThat(audit.events("PAYLOAD_VIEWED")).isEmpty();
        browser.open(confirmation);
        assertThat(browser.shown("form#confirm, button#confirm-button"))
                .as("a viewer's redrive confirmation, opened from its address").isEmpty();
    }

    @Test
    void textFromCallersAndFromGenesysIsShownAsTextNeverAsMarkup() {
        String action = Retries.newActionId();
        String message = "<img src=x id=injected-message onerror=document.title='injected'>";
        String runId = "run-<b id=injected-run>1</b>";
        String payload = "{\"note\":\"</pre><img src=x id=injected-payload onerror=document.title='injected'>\"}";
        answers(action, json(400, error(400, "bad.request", message)));
        String id = Retries.submitAccepted(action, runId, payload);
        Retries.awaitStatus(id, "FAILED");
        String code = Retries.record(id).getString("lastError.code");
        console.signIn(OPERATOR_KEY);

        console.open("console/retries?actionId=" + action);
        assertThat(console.retryRows()).singleElement().extracting(RetryRow::run).isEqualTo(runId);
        assertNothingInjected();
        console.open("console/failures");
        assertThat(textOf(console.failureGroup(action, code), "td.sample")).contains(message);
        assertNothingInjected();
        console.open("console/retries/" + id);
        assertThat(browser.visible("#last-error").getText()).contains(message);
        assertNothingInjected();
        console.submitWith(browser.visible("button#show-payload-button"));
        assertThat(browser.visible("pre#payload").getText()).contains("</pre><img src=x id=injected-payload");
        assertNothingInjected();
    }

    private static void assertNothingInjected() {
        assertThat(browser.shown("#injected-message, #injected-run, #injected-payload")).as("elements made of text")
                .isEmpty();
        assertThat(browser.driver().getTitle()).isNotEqualTo("injected");
    }

    @Test
    void aFormPostedWithoutItsCsrfFieldIsRefused() {
        String action = knownAction();
        console.signIn(OPERATOR_KEY);
        console.open("console/actions");
        WebElement pause = console.actionRow(action).findElement(By.cssSelector("form.pause-action"));
        browser.script("arguments[0].querySelector('input[name=csrf]').remove();", pause);
        assertThat(pause.findElements(By.cssSelector("input[name=csrf]"))).isEmpty();
        pause.findElement(By.cssSelector("input[name=reason]")).sendKeys(REASON);

        console.submitWith(pause.findElement(By.cssSelector("button.pause-button")));

        assertThat(browser.responseStatus()).isEqualTo(403);
        assertThat(browser.visible("h1#refused").getText()).isNotBlank();
        assertThat(browser.visible("body").getText()).contains("form expired");
        assertThat(actionThroughApi(action).getBoolean("paused")).isFalse();
    }

    @Test
    void aFormPostedWithAnAlteredCsrfTokenIsRefused() {
        String action = knownAction();
        console.signIn(OPERATOR_KEY);
        console.open("console/actions");
        WebElement pause = console.actionRow(action).findElement(By.cssSelector("form.pause-action"));
        browser.script("const field = arguments[0].querySelector('input[name=csrf]');"
                + " field.value = field.value.slice(0, -2) + (field.value.endsWith('AA') ? 'BB' : 'AA');", pause);
        pause.findElement(By.cssSelector("input[name=reason]")).sendKeys(REASON);

        console.submitWith(pause.findElement(By.cssSelector("button.pause-button")));

        assertThat(browser.responseStatus()).isEqualTo(403);
        assertThat(browser.visible("h1#refused").getText()).isNotBlank();
        assertThat(browser.visible("body").getText()).contains("form expired");
        assertThat(actionThroughApi(action).getBoolean("paused")).isFalse();
    }

    @Test
    void aKeyThatIsNotAcceptedIsRefusedWithTheSameSentenceWhateverWasWrongWithIt() {
        String anotherKey = "not-a-key-of-this-service";
        List<String> wrongKeys = List.of(anotherKey,
                OPERATOR_KEY.substring(0, OPERATOR_KEY.length() - 1) + "x",
                OPERATOR_LABEL + "=" + OPERATOR_KEY,
                OPERATOR_LABEL + ":operator=" + OPERATOR_KEY,
                " " + VIEWER_KEY + "x",
                "");
        Map<String, String> pages = new LinkedHashMap<>();
        for (String key : wrongKeys) {
            console.submitKey(key);

            assertThat(browser.responseStatus()).as("status for key '%s'", key).isEqualTo(401);
            WebElement error = browser.visible("p#sign-in-error");
            assertThat(error.getText().strip()).isEqualTo(KEY_NOT_ACCEPTED);
            assertThat(error.getDomAttribute("role")).isEqualTo("alert");
            assertThat(browser.shown("span#signed-in-as")).isEmpty();
            assertThat(browser.visible("input#key").getDomProperty("value")).as("the key is not given back").isEmpty();
            String page = browser.visible("body").getText();
            if (!key.isBlank()) {
                assertThat(browser.driver().getPageSource()).doesNotContain(key.strip());
            }
            pages.put(key, page);
        }
        assertThat(pages.values()).as("the same page for every wrong key, which tells nothing")
                .containsOnly(pages.get(anotherKey));

        console.open("console");
        assertThat(console.currentPath()).isEqualTo("/console/sign-in");
        assertThat(audit.events("CONSOLE_SIGNED_IN")).isEmpty();
    }

    /** Reloads {@code path} until what {@code read} reads from it passes {@code done}; returns it. */
    private <T> T reloadUntil(String description, String path, Supplier<T> read,
            Predicate<T> done) {
        return reloadUntil(description, path, read, done, HeadlessChromium.PATIENCE);
    }

    private <T> T reloadUntil(String description, String path, Supplier<T> read,
            Predicate<T> done, Duration atMost) {
        String page = path.startsWith("/") ? path.substring(1) : path;
        Object[] last = new Object[1];
        try {
            return browser.until(description, atMost, driver -> {
                console.open(page);
                T shown = read.get();
                last[0] = shown;
                return done.test(shown) ? shown : null;
            });
        } catch (TimeoutException timedOut) {
            throw new AssertionError(description + ": the page last showed " + last[0], timedOut);
        }
    }

    private static Map<String, Long> difference(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> difference = new LinkedHashMap<>();
        now.forEach((status, count) -> difference.put(status, count - before.getOrDefault(status, 0L)));
        return difference;
    }

    /** An action the service has seen, with one retry that succeeded: the actions page lists it. */
    private static String knownAction() {
        String action = Retries.newActionId();
        answers(action, success("{}"));
        Retries.awaitStatus(Retries.submitAccepted(action), "SUCCEEDED");
        return action;
    }

    /** Submits {@code count} retries of {@code actionId}, one by one, with run ids {@code run-0} onwards. */
    private static List<String> submit(String actionId, int count) {
        return IntStream.range(0, count).mapToObj(i -> Retries.submitNew(actionId, "run-" + i)).toList();
    }

    /** Submits {@code count} retries of {@code actionId} in one batch, each of which must be accepted. */
    private static List<String> submitBatch(String actionId, int count) {
        List<Map<String, Object>> items = IntStream.range(0, count)
                .mapToObj(i -> Retries.request(actionId, "run-" + i)).toList();
        JsonPath results = Retries.submitBatch(items).then().statusCode(200).extract().jsonPath();
        assertThat(results.getList("results.outcome")).as("batch answers").containsOnly("accepted");
        return results.getList("results.retry.requestId");
    }

    private static void awaitAll(String actionId, String status, int count) {
        await(count + " retries of " + actionId + " reaching " + status).atMost(Retries.OUTCOME_DEADLINE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Retries.listOf(actionId).stream().filter(retry -> status.equals(retry.get("status")))
                        .count() == count);
    }

    private static List<String> ids(List<RetryRow> rows) {
        return rows.stream().map(RetryRow::requestId).toList();
    }

    /** Each retry was accepted no later than the one before it, by the API's records. */
    private static void assertNewestFirst(List<String> shown) {
        List<Instant> accepted = shown.stream().map(id -> Retries.instant(Retries.record(id), "acceptedAt")).toList();
        for (int i = 1; i < accepted.size(); i++) {
            assertThat(accepted.get(i)).as("accepted time of row %d, after %s", i, accepted.get(i - 1))
                    .isBeforeOrEqualTo(accepted.get(i - 1));
        }
    }

    private static int unfinishedThroughApi() {
        return List.of("PENDING", "IN_FLIGHT").stream().mapToInt(status -> given().queryParam("status", status)
                .queryParam("limit", 500).get("/v1/retries").then().statusCode(200).extract().jsonPath()
                .getList("$").size()).sum();
    }

    private static JsonPath actionThroughApi(String actionId) {
        return given().get("/v1/actions/" + actionId).then().statusCode(200).extract().jsonPath();
    }

    private static void pauseThroughApi(String actionId, String reason) {
        given().contentType(ContentType.JSON).body(Map.of("reason", reason)).post("/v1/actions/" + actionId + "/pause")
                .then().statusCode(200);
    }

    private static void resumeThroughApi(String actionId) {
        given().post("/v1/actions/" + actionId + "/resume").then().statusCode(200);
    }
}
