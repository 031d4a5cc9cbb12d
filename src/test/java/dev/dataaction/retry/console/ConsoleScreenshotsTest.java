package dev.dataaction.retry.console;

import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.error;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The console's pictures in the documentation, {@code docs/images/console-<page>.png}: each page photographed with a few
 * actions, some of them failing. It rewrites tracked files, so it runs only when asked:
 *
 * <pre>
 * ./mvnw -B verify -Dtest=ConsoleScreenshotsTest -Dconsole.screenshots=true
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ConsoleScreenshotsTest.Photogenic.class)
@EnabledIfSystemProperty(named = "console.screenshots", matches = ".*", disabledReason = "-Dconsole.screenshots=true "
        + "rewrites docs/images")
class ConsoleScreenshotsTest {

    /**
     * {@link ConsoleProfile} with an application of its own, so that no other test's retries are in the pictures, and
     * with a breaker that stays open and retries that stay unfinished while they are taken.
     */
    public static class Photogenic extends ConsoleProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> settings = new HashMap<>(super.getConfigOverrides());
            settings.put("orchestrator.circuit-breaker.reset-delay", "5m");
            settings.put("orchestrator.retry.max-duration", "10m");
            return settings;
        }
    }

    private static final Path IMAGES = Path.of("docs", "images");
    private static final String LOOKUP = "crm-lookup";
    private static final String TICKET = "ticket-create";
    private static final String SMS = "sms-notify";
    private static final String ADDRESS = "address-verify";

    @RegisterExtension
    static final HeadlessChromium browser = new HeadlessChromium();

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @TestHTTPResource("/")
    URL base;

    @Test
    void photographsEachPageWithAFewActionsSomeFailing() {
        ConsolePages console = new ConsolePages(browser, base);
        answers(LOOKUP, success("{\"customerName\":\"Ada Lovelace\",\"tier\":\"gold\"}"));
        answers(TICKET, json(400, error(400, "bad.request", "Field 'customerId' is required")));
        answers(SMS, unavailable());
        given().contentType(ContentType.JSON).body(Map.of("reason", "Vendor maintenance until 14:00"))
                .post("/v1/actions/" + ADDRESS + "/pause").then().statusCode(200);
        try {
            List<String> lookups = IntStream.range(0, 8).mapToObj(i -> submit(LOOKUP, i)).toList();
            List<String> tickets = IntStream.range(0, 4).mapToObj(i -> submit(TICKET, i)).toList();
            IntStream.range(0, 5).forEach(i -> submit(SMS, i));
            IntStream.range(0, 2).forEach(i -> submit(ADDRESS, i));
            lookups.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
            tickets.forEach(id -> Retries.awaitStatus(id, "FAILED"));
            // a lookup that met a 503 first: its page shows two attempts and the wait between them
            answers(LOOKUP, unavailable(), success("{\"customerName\":\"Grace Hopper\",\"tier\":\"silver\"}"));
            String retried = submit(LOOKUP, 100);
            Retries.awaitStatus(retried, "SUCCEEDED");

            // the sign-in page with a key typed, before it is sent
            console.forgetSession();
            browser.visible("form#sign-in input#key").sendKeys("xxxxxxxxxxxxxxxxxxxx");
            photograph("sign-in");
            console.signIn(ConsoleProfile.OPERATOR_KEY);
            browser.visible("svg#attempts-chart");
            photograph("overview");
            console.open("console/failures");
            browser.visible("table#failure-groups");
            photograph("failures");
            console.open("console/retries");
            browser.visible("table#retries");
            photograph("retries");
            console.open("console/retries/" + retried);
            browser.visible("ol#timeline");
            photograph("retry");
            console.open("console/actions");
            browser.visible("table#actions");
            photograph("actions");
        } finally {
            given().post("/v1/actions/" + ADDRESS + "/resume").then().statusCode(200);
        }
    }

    private static String submit(String actionId, int run) {
        return Retries.submitAccepted(actionId, "run-" + (4100 + run),
                "{\"customerId\":\"C-" + (20_000 + run * 37) + "\"}");
    }

    private static void photograph(String page) {
        Path file = browser.screenshot(IMAGES.resolve("console-" + page + ".png"));
        assertThat(file).isNotEmptyFile();
    }
}
