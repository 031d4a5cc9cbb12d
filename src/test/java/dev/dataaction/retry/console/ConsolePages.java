package dev.dataaction.retry.console;

import java.net.URL;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator console as a person uses it, through {@link HeadlessChromium}: what its page contract names (element ids
 * and classes, form fields, URLs), and nothing of how it is built. Tables are read in one script each, so that a part of
 * the page that htmx replaces in the meantime cannot leave a test holding half of an old one.
 */
final class ConsolePages {

    /** The six statuses, each with a row in the overview's counts. */
    static final List<String> STATUSES = List.of("PENDING", "IN_FLIGHT", "SUCCEEDED", "FAILED", "EXHAUSTED",
            "CANCELLED");
    /** The session cookie's name. */
    static final String SESSION_COOKIE = "orchestrator-console";

    /** One row of the retries list. */
    record RetryRow(String requestId, String status, String action, String run, String error) {
    }

    /**
     * What the server answered to a request the page made with {@code fetch()}: its status and, when the answer is a
     * refusal page (one with {@code h1#refused}), that page's text.
     */
    record Answer(int status, String refused) {
    }

    private final HeadlessChromium browser;
    private final String base;

    /** {@code base}: the application's root URL, ending with {@code /}. */
    ConsolePages(HeadlessChromium browser, URL base) {
        this.browser = browser;
        this.base = base.toString().endsWith("/") ? base.toString() : base + "/";
    }

    /** The absolute URL of {@code path}, a path below the application's root without its leading slash. */
    String url(String path) {
        return base + path;
    }

    /** Opens {@code path} (for example {@code console/retries?status=FAILED}). */
    void open(String path) {
        browser.open(url(path));
        browser.until("the page at " + path + " to load", ready());
    }

    /**
     * Forgets any session, then signs in with {@code key}; returns once the browser has left the sign-in page with a
     * session. What the page it landed on shows is for the test to check: a scenario about another page opens that one.
     */
    void signIn(String key) {
        submitKey(key);
        browser.until("a console page and a session after signing in", driver -> !currentPath().startsWith(
                "/console/sign-in") && driver.manage().getCookieNamed(SESSION_COOKIE) != null);
    }

    /** Forgets any session, opens the sign-in page and submits {@code key}, whatever the outcome. */
    void submitKey(String key) {
        forgetSession();
        open("console/sign-in");
        WebElement field = browser.visible("form#sign-in input#key");
        field.clear();
        if (key.isEmpty()) {
            // the browser would refuse an empty required field itself; the server's answer to one is what is tested
            browser.script("arguments[0].removeAttribute('required');", field);
        } else {
            field.sendKeys(key);
        }
        submitWith(browser.visible("button#sign-in-button"));
    }

    /**
     * Forgets the session cookie. A cookie is only visible (and deletable) from a page on its path, {@code /console}; the
     * sign-in page is one with or without a session.
     */
    void forgetSession() {
        open("console/sign-in");
        browser.driver().manage().deleteAllCookies();
    }

    /**
     * Clicks {@code control}, which submits a form or follows a link, and waits for the page it leads to: until the
     * control has left the page (a new page, or a part that htmx swapped in) and the page has loaded.
     */
    void submitWith(WebElement control) {
        String described = describe(control);
        browser.script("window." + PAGE_MARK + " = true;");
        control.click();
        browser.until("a new page after clicking " + described, driver -> leftPage(driver, control));
        browser.until("the new page to load", ready());
    }

    /** Set on the window of a page a test is about to leave; a new document has a window without it. */
    private static final String PAGE_MARK = "consoleTestLeaving";

    private static boolean leftPage(WebDriver driver, WebElement control) {
        try {
            if (((JavascriptExecutor) driver).executeScript("return window." + PAGE_MARK + ";") == null) {
                return true;
            }
            control.isEnabled();
            return false;
        } catch (StaleElementReferenceException replaced) {
            return true;
        } catch (WebDriverException midNavigation) {
            // while one document replaces another Chromium answers "Node with given id does not belong to the
            // document" and the like: not there yet
            return false;
        }
    }

    private static Function<WebDriver, Boolean> ready() {
        return driver -> "complete".equals(
                ((JavascriptExecutor) driver).executeScript("return document.readyState;"));
    }

    private static String describe(WebElement control) {
        String id = control.getDomAttribute("id");
        String type = control.getTagName();
        return id == null || id.isEmpty() ? type + " '" + control.getText() + "'" : type + "#" + id;
    }

    /** The current page's path and query, as the browser shows them. */
    String currentPath() {
        return (String) browser.script("return location.pathname + location.search;");
    }

    /** The text of {@code span#signed-in-as}: "label (role)". */
    String signedInAs() {
        return browser.visible("span#signed-in-as").getText().strip();
    }

    /** The page's {@code p#notice}: what the last action did. */
    String notice() {
        return browser.visible("p#notice").getText().strip();
    }

    /** The page's CSRF token, from {@code <meta name="csrf-token">}. */
    String csrfToken() {
        return browser.present("meta[name=csrf-token]").getDomAttribute("content");
    }

    /** The overview's {@code table#status-counts}: each status's {@code td.count}. */
    Map<String, Long> statusCounts() {
        browser.present("table#status-counts");
        @SuppressWarnings("unchecked")
        Map<String, Object> read = (Map<String, Object>) browser.script("""
                const counts = {};
                document.querySelectorAll('table#status-counts tr[data-status]').forEach(row => {
                    const cell = row.querySelector('td.count');
                    counts[row.dataset.status] = cell ? cell.textContent : null;
                });
                return counts;""");
        Map<String, Long> counts = new LinkedHashMap<>();
        read.forEach((status, text) -> counts.put(status, number(status, (String) text)));
        return counts;
    }

    private static Long number(String what, String text) {
        String digits = text == null ? "" : text.replaceAll("[\\s,.\u00a0\u202f]", "");
        if (!digits.matches("\\d+")) {
            throw new AssertionError("td.count of " + what + " is not a number: '" + text + "'");
        }
        return Long.parseLong(digits);
    }

    /** The rows of {@code table#retries}, as shown; none when the page says {@code p#no-retries}. */
    List<RetryRow> retryRows() {
        browser.present("table#retries, p#no-retries");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> read = (List<Map<String, Object>>) browser
                .script("""
                        const text = (row, css) => { const cell = row.querySelector(css); return cell ? cell.textContent.trim() : null; };
                        return Array.from(document.querySelectorAll('table#retries tr.retry')).map(row => ({
                            requestId: row.dataset.requestId, status: row.dataset.status, action: text(row, 'td.action'),
                            run: text(row, 'td.run'), error: text(row, 'td.error')}));""");
        return read.stream().map(row -> new RetryRow((String) row.get("requestId"), (String) row.get("status"),
                (String) row.get("action"), (String) row.get("run"), (String) row.get("error"))).toList();
    }

    /** The retries list's filter: sets each field given (blank for "any") and submits it. */
    void filterRetries(String status, String actionId) {
        WebElement form = browser.visible("form#retry-filter");
        new Select(form.findElement(By.cssSelector("select[name=status]")))
                .selectByValue(status);
        WebElement action = form.findElement(By.cssSelector("input[name=actionId]"));
        action.clear();
        action.sendKeys(actionId);
        submitWith(form.findElement(By.cssSelector("button#filter-button")));
    }

    /** The row {@code tr.retry} of one retry on the retries list. */
    WebElement retryRow(String requestId) {
        return browser.visible("table#retries tr.retry[data-request-id='" + requestId + "']");
    }

    /** The row {@code tr.action} of one action on the actions page. */
    WebElement actionRow(String actionId) {
        return browser.visible("table#actions tr.action[data-action-id='" + cssString(actionId) + "']");
    }

    /** The row {@code tr.failure-group} of one action's failures with one error code on the failures page. */
    WebElement failureGroup(String actionId, String code) {
        return browser.visible("table#failure-groups tr.failure-group[data-action-id='" + cssString(actionId)
                + "'][data-code='" + cssString(code) + "']");
    }

    /** The text of {@code css} inside {@code within}, or empty when there is no such element. */
    static Optional<String> textIn(WebElement within, String css) {
        List<WebElement> found = within.findElements(By.cssSelector(css));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).getText().strip());
    }

    /** The text of {@code css} inside {@code within}, which must hold such an element. */
    static String textOf(WebElement within, String css) {
        return textIn(within, css).orElseThrow(() -> new AssertionError("no " + css + " in " + within.getTagName()
                + Optional.ofNullable(within.getDomAttribute("class")).map(name -> "." + name).orElse("")));
    }

    /**
     * POSTs {@code form} (URL-encoded) to {@code address} with {@code fetch()} from the current page, as a script on the
     * page could, with the page's cookies; returns the status and the text of the answer's {@code h1#refused}, if any.
     */
    Answer postFromPage(String address, Map<String, String> form) {
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = (Map<String, Object>) browser.asyncScript("""
                const [address, fields, done] = arguments;
                fetch(address, {method: 'POST', body: new URLSearchParams(fields), redirect: 'manual'})
                    .then(response => response.text().then(body => {
                        const refused = new DOMParser().parseFromString(body, 'text/html').querySelector('h1#refused');
                        done({status: response.status, refused: refused ? refused.closest('body').textContent : null});
                    }))
                    .catch(failure => done({status: -1, refused: String(failure)}));""", address, form);
        return new Answer(((Number) answer.get("status")).intValue(), (String) answer.get("refused"));
    }

    /** {@code value} inside a CSS attribute selector's single quotes. */
    private static String cssString(String value) {
        return value.replace("\\", "\\\\").replace("'", "\\'");
    }
}
