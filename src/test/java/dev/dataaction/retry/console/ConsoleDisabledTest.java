package dev.dataaction.retry.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** With {@code orchestrator.console.enabled=false} there is no console: every page of it is 404, the API is as before. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ConsoleDisabledTest.ConsoleDisabled.class)
class ConsoleDisabledTest {

    /** {@link ConsoleProfile} with the console turned off. */
    public static class ConsoleDisabled extends ConsoleProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> settings = new HashMap<>(super.getConfigOverrides());
            settings.put("orchestrator.console.enabled", "false");
            return settings;
        }
    }

    @RegisterExtension
    static final HeadlessChromium browser = new HeadlessChromium();

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyConsolePageAnswers404AndTheApiStillWorks() {
        for (String page : List.of("console", "console/sign-in", "console/retries", "console/actions")) {
            browser.open(base + page);

            assertThat(browser.responseStatus()).as("/%s", page).isEqualTo(404);
            assertThat(browser.shown("form#sign-in, nav#console-nav")).as("/%s", page).isEmpty();
        }
        assertThat(Callers.withoutApiKey().redirects().follow(false).formParam("key", ConsoleProfile.OPERATOR_KEY)
                .post("/console/sign-in").statusCode()).isEqualTo(404);

        browser.open(base + "q/health/ready");
        assertThat(browser.responseStatus()).isEqualTo(200);
        assertThat(given().get("/v1/retries").statusCode()).isEqualTo(200);
    }
}
