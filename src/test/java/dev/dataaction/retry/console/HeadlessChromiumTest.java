package dev.dataaction.retry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The browser the console's tests drive starts headless, at its fixed size, reaches the application and photographs it. */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ConsoleProfile.class)
class HeadlessChromiumTest {

    @RegisterExtension
    static final HeadlessChromium browser = new HeadlessChromium();

    @TestHTTPResource("/")
    URL base;

    @Test
    void loadsTheApplicationsReadinessAtItsFixedSize() throws Exception {
        browser.open(base + "q/health/ready");

        assertThat(browser.responseStatus()).isEqualTo(200);
        assertThat(browser.visible("body").getText()).contains("\"status\": \"UP\"");
        assertThat(browser.script("return [window.innerWidth, navigator.webdriver];").toString())
                .startsWith("[" + HeadlessChromium.WIDTH + ",");
        Path png = browser.screenshot(Path.of("target", "browser-smoke", "readiness.png"));
        assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
}
