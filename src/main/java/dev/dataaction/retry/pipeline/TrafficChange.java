package dev.dataaction.retry.pipeline;

import dev.dataaction.retry.store.TrafficSettings;

/**
 * An operator changed the limits on what reaches Genesys, or paused or resumed an action, through the API.
 *
 * @param actionId the action changed; null for the service's limits
 * @param by the label of the API key that made the change, never the key
 * @param reason what the operator said when pausing; null otherwise
 * @param limits the limits set, for {@link Kind#LIMITS_CHANGED}; null otherwise
 */
public record TrafficChange(Kind kind, String actionId, String by, String reason, TrafficSettings.Limits limits) {

    public enum Kind {
        PAUSED,
        RESUMED,
        LIMITS_CHANGED
    }
}
