package dev.dataaction.retry.support;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Each test starts on a clean slate and leaves nothing behind for the next. Before each test the {@link GenesysStub}
 * (and, where asked, the {@link WebhookReceiverStub}) forgets earlier stubs and requests, then the logs the class
 * captures start recording; after each test they stop recording, and every retry the test left unfinished is cancelled
 * ({@link Retries#leaveNothingBehind()}). A test class registers it on an instance field:
 *
 * <pre>
 * &#64;RegisterExtension
 * final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();
 * final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);
 * </pre>
 *
 * On a field rather than with {@code @ExtendWith} on the class, because JUnit runs the extensions of fields inside those
 * of the class: Quarkus' own extension has started the application and pointed RestAssured at it before this one's
 * set-up, and clears RestAssured only after this one's tear-down. That holds in an {@code XxxIT} subclass too, whose
 * {@code @QuarkusIntegrationTest} extension would come after (inside) one declared on the {@code XxxTest} class and
 * clear RestAssured before the retries were cancelled. The class's own {@code @BeforeEach} methods run after this set-up,
 * its {@code @AfterEach} methods before this tear-down.
 */
public final class CleanSlate implements BeforeEachCallback, AfterEachCallback {

    private final List<LogCapture> captures = new ArrayList<>();
    private boolean resetWebhookReceiver;
    private boolean cancelRetries = true;

    private CleanSlate() {
    }

    /** Resets the Genesys stub before each test and cancels what each test left unfinished after it. */
    public static CleanSlate genesys() {
        return new CleanSlate();
    }

    /** Resets the webhook receiver too, after the Genesys stub: for a class whose profile starts it. */
    public CleanSlate andWebhookReceiver() {
        resetWebhookReceiver = true;
        return this;
    }

    /**
     * Leaves unfinished retries as each test left them: for a class whose tests stop the pipeline of an application of
     * its own, which no other class shares.
     */
    public CleanSlate keepingRetries() {
        cancelRetries = false;
        return this;
    }

    /**
     * What is logged on {@code loggerName} and below it during each test, recorded from after the stubs' reset until
     * the test's {@code @AfterEach} methods have run; for a field initializer. An {@code XxxIT} subclass tests an
     * application that logs in a process of its own, so its capture stays empty: tests that read one are
     * {@code @DisabledOnIntegrationTest}.
     */
    public LogCapture capture(String loggerName) {
        LogCapture capture = LogCapture.unopened(loggerName);
        captures.add(capture);
        return capture;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        GenesysStub.reset();
        if (resetWebhookReceiver) {
            WebhookReceiverStub.reset();
        }
        captures.forEach(LogCapture::open);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        captures.forEach(LogCapture::close);
        if (cancelRetries) {
            Retries.leaveNothingBehind();
        }
    }
}
