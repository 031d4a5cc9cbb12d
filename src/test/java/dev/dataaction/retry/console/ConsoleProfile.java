package dev.dataaction.retry.console;

import java.util.Map;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application as the console's browser tests use it: an operator's key and a viewer's key besides the tests' own
 * ({@link GenesysStub#API_KEY}, which the {@code /v1} calls of the tests carry), a queue deep enough for a few pages of
 * retries, and one action configured to give up after its first attempt. Genesys is the global {@link GenesysStub}.
 */
public class ConsoleProfile implements QuarkusTestProfile {

    /** An operator's key, labelled {@value #OPERATOR_LABEL}. */
    public static final String OPERATOR_KEY = "console-operator-key-5c81d2e7a9";
    public static final String OPERATOR_LABEL = "ops";
    /** A viewer's key, labelled {@value #VIEWER_LABEL}: it may look, not act. */
    public static final String VIEWER_KEY = "console-viewer-key-0b47f3a96e";
    public static final String VIEWER_LABEL = "watcher";
    /** Its retries get one attempt ({@code retry.max-attempts=1}): a failure that can be retried ends it EXHAUSTED. */
    public static final String ONE_ATTEMPT_ACTION = "console-one-attempt";
    /** More than two pages of the retries list (50 a page) may wait at once; the tests' default is 10. */
    static final int QUEUE_DEPTH = 200;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.api-keys", GenesysStub.API_KEY + "," + OPERATOR_LABEL + ":operator=" + OPERATOR_KEY + ","
                        + VIEWER_LABEL + ":viewer=" + VIEWER_KEY,
                "orchestrator.queue.max-depth", Integer.toString(QUEUE_DEPTH),
                "orchestrator.actions.\"" + ONE_ATTEMPT_ACTION + "\".retry.max-attempts", "1");
    }
}
