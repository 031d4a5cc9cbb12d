package dev.dataaction.retry.store;

import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What operators changed at run time, through the API, of the limits on what reaches Genesys: the service's limits,
 * and each action's limits and pause. Whatever is {@code null} follows the configuration.
 */
public record TrafficSettings(Limits service, Map<String, ActionControl> actions) {

    public static final TrafficSettings NONE = new TrafficSettings(Limits.CONFIGURED, Map.of());

    /** Limits set at run time; a {@code null} member returns to the configured value. */
    @RegisterForReflection // part of the /v1/actions and /v1/limits bodies, serialised by Jackson
    public record Limits(Integer maxConcurrent, Double maxPerSecond) {

        public static final Limits CONFIGURED = new Limits(null, null);
    }

    /**
     * One action's settings.
     *
     * @param pauseReason what the operator said when pausing, if anything
     */
    public record ActionControl(boolean paused, String pauseReason, Limits limits) {

        public static final ActionControl NONE = new ActionControl(false, null, Limits.CONFIGURED);
    }

    /** The action's settings; {@link ActionControl#NONE} when nobody changed them. */
    public ActionControl action(String actionId) {
        return actions.getOrDefault(actionId, ActionControl.NONE);
    }
}
