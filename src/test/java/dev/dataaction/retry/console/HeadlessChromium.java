package dev.dataaction.retry.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for a test class, driven through chromedriver: started on first use, quit after the class's last
 * test. A test class registers it on a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final HeadlessChromium browser = new HeadlessChromium();
 * </pre>
 *
 * The browser is Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}), or whichever {@code chromedriver} the PATH finds; the system properties
 * {@code webdriver.chrome.driver} and {@code webdriver.chrome.binary} name others. Nothing is downloaded. Every wait is
 * explicit and has a deadline. When a test fails, the page it was on is saved as a PNG, with its HTML, under
 * {@code target/browser-failures}, so that the failure can be seen.
 */
public final class HeadlessChromium implements AfterAllCallback, TestWatcher {

    /** How long a page may take to show what a test waits for: generous for a shared, busy CI machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(15);
    /** A fixed size, so that screenshots and layouts are the same from run to run. */
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;
    private static final Path FAILURES = Path.of("target", "browser-failures");

    /**
     * Selenium looks for DevTools bindings matching the browser's version and warns when it finds none; these tests use
     * none (WebDriver alone), so the warning would only be noise. Held here: a logger's level lasts as long as the logger.
     */
    private static final Logger CDP_VERSION_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

    private ChromeDriver driver;

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    /** The browser, started on first use. */
    public WebDriver driver() {
        if (driver == null) {
            driver = start();
        }
        return driver;
    }

    private static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions();
        // no sandbox: CI runs as root in a container, where Chromium's sandbox cannot start; a small /dev/shm there too
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-extensions", "--no-first-run", "--lang=en-US", "--window-size=" + WIDTH + "," + HEIGHT);
        chromiumBinary().ifPresent(options::setBinary);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver().toFile())
                .usingAnyFreePort().build();
        ChromeDriver started = new ChromeDriver(service, options);
        started.manage().timeouts().pageLoadTimeout(PATIENCE).scriptTimeout(PATIENCE);
        return started;
    }

    private static Path chromedriver() {
        return Optional.ofNullable(System.getProperty("webdriver.chrome.driver")).map(Path::of)
                .or(() -> executable(Path.of("/usr/bin/chromedriver")))
                .or(() -> onThePath("chromedriver"))
                .orElseThrow(() -> new IllegalStateException("No chromedriver: install Debian's chromium-driver "
                        + "(apt-get install chromium chromium-driver), put chromedriver on the PATH or name it with "
                        + "-Dwebdriver.chrome.driver"));
    }

    /** Debian's chromedriver looks for {@code chromium} itself; naming it spares it the search. */
    private static Optional<File> chromiumBinary() {
        return Optional.ofNullable(System.getProperty("webdriver.chrome.binary")).map(Path::of)
                .or(() -> executable(Path.of("/usr/bin/chromium")))
                .map(Path::toFile);
    }

    private static Optional<Path> executable(Path candidate) {
        return Files.isExecutable(candidate) ? Optional.of(candidate) : Optional.empty();
    }

    private static Optional<Path> onThePath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(path.split(File.pathSeparator)).filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** Opens {@code url} and returns the browser. */
    public WebDriver open(String url) {
        driver().get(url);
        return driver;
    }

    /** Waits until {@code condition} returns something other than {@code null} or {@code false}; returns it. */
    public <T> T until(String description, Function<WebDriver, T> condition) {
        return until(description, PATIENCE, condition);
    }

    /** The same, for at most {@code atMost}. */
    public <T> T until(String description, Duration atMost, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver(), atMost, Duration.ofMillis(100));
        wait.withMessage(description);
        return wait.until(condition);
    }

    /** The element that {@code css} selects, once the page shows it. */
    public WebElement visible(String css) {
        return until("an element " + css + " on " + driver().getCurrentUrl(),
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** The element that {@code css} selects, once the page holds it, shown or not. */
    public WebElement present(String css) {
        return until("an element " + css + " on " + driver().getCurrentUrl(),
                ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
    }

    /** The elements that {@code css} selects now, without waiting: for checking that something is absent. */
    public List<WebElement> all(String css) {
        return driver().findElements(By.cssSelector(css));
    }

    /**
     * What {@code css} selects now, each element as the start of its HTML, without waiting: for checking that something
     * is absent with a message that shows what was there instead.
     */
    public List<String> shown(String css) {
        return all(css).stream().map(element -> {
            String html = element.getDomProperty("outerHTML");
            return html == null || html.length() <= 160 ? html : html.substring(0, 160) + "...";
        }).toList();
    }

    /** Runs a script in the page and returns what it returns. */
    public Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver()).executeScript(script, arguments);
    }

    /**
     * Runs a script that ends by calling its last argument (the callback Selenium adds) with the result, within
     * {@link #PATIENCE}; for a {@code fetch()}.
     */
    public Object asyncScript(String script, Object... arguments) {
        return ((JavascriptExecutor) driver()).executeAsyncScript(script, arguments);
    }

    /**
     * The HTTP status of the page's own request: what the server answered to the navigation or form post that brought
     * the page (the final one, after redirects). Chromium reports it through the Navigation Timing API.
     */
    public int responseStatus() {
        Object status = script("const entry = performance.getEntriesByType('navigation')[0];"
                + " return entry ? entry.responseStatus : null;");
        if (status == null) {
            throw new IllegalStateException("The browser reports no navigation for " + driver().getCurrentUrl());
        }
        return ((Number) status).intValue();
    }

    /** Saves what the browser shows as a PNG at {@code file}, creating its directory. */
    public Path screenshot(Path file) {
        byte[] png = ((TakesScreenshot) driver()).getScreenshotAs(OutputType.BYTES);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return Files.write(file, png);
        } catch (IOException failed) {
            throw new UncheckedIOException("Could not write " + file, failed);
        }
    }

    /** Quits the browser; the next use starts a new one. */
    public void quit() {
        if (driver != null) {
            try {
                driver.quit();
            } finally {
                driver = null;
            }
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (driver == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        try {
            screenshot(FAILURES.resolve(name + ".png"));
            Files.writeString(FAILURES.resolve(name + ".html"),
                    "<!-- " + driver.getCurrentUrl() + " -->\n" + driver.getPageSource());
        } catch (RuntimeException | IOException unsaved) {
            // the test's own failure is what matters; a browser that died with it cannot be photographed
            cause.addSuppressed(unsaved);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        quit();
    }
}
