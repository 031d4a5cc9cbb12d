package dev.dataaction.retry.traffic;

import java.util.Map;

import dev.dataaction.retry.support.GenesysStub;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application with the runtime controls' test set-up, shared by every class of this package that needs one, so that
 * they start one application: a labelled API key, an unlabelled second one and a viewer's besides the tests' own, and a few
 * actions
 * configured in the file (their ids are fixed, since the configuration names them). Genesys is the global
 * {@link GenesysStub}. Nothing here answers 429: the service-wide limits adapt to 429s, and the classes that count
 * attempts on the wire must find them as configured.
 */
public class TrafficProfile implements QuarkusTestProfile {

    /** An operator's key, labelled {@value #OPS_LABEL}. */
    public static final String OPS_KEY = "ops-key-9f4e2a7c51";
    public static final String OPS_LABEL = "ops";
    /** A viewer's key, labelled {@value #VIEWER_LABEL}: it may read, not act. */
    public static final String VIEWER_KEY = "viewer-key-7c2e9b4d30";
    public static final String VIEWER_LABEL = "watch";
    /** A second key without a label. */
    public static final String OTHER_KEY = "other-key-3b8d6e0f12";

    /** Its retries get one attempt ({@code retry.max-attempts=1}); the service's get 4. */
    public static final String ONE_ATTEMPT_ACTION = "one-attempt-action";
    /** Its retries live 2 s ({@code retry.max-duration=2s}); the service's live 20 s. */
    public static final String SHORT_LIVED_ACTION = "short-lived-action";
    /** Configured with limits of its own: at most 3 on the wire, 40 a second. */
    public static final String CONFIGURED_ACTION = "configured-action";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.api-keys", GenesysStub.API_KEY + "," + OPS_LABEL + "=" + OPS_KEY + "," + OTHER_KEY + ","
                        + VIEWER_LABEL + ":viewer=" + VIEWER_KEY,
                "orchestrator.actions.\"" + ONE_ATTEMPT_ACTION + "\".retry.max-attempts", "1",
                "orchestrator.actions.\"" + SHORT_LIVED_ACTION + "\".retry.max-duration", "2s",
                "orchestrator.actions.\"" + CONFIGURED_ACTION + "\".max-concurrent", "3",
                "orchestrator.actions.\"" + CONFIGURED_ACTION + "\".max-per-second", "40");
    }
}
