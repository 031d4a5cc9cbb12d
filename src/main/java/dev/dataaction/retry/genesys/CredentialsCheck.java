package dev.dataaction.retry.genesys;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.dataaction.retry.config.GenesysConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * Stops a production start without Genesys credentials: every retry would otherwise be accepted only to wait for a
 * token that can never come. Dev mode without credentials talks to the simulated Genesys Cloud instead.
 */
@Singleton
class CredentialsCheck {

    void requireCredentials(@Observes StartupEvent started, GenesysConfig config) {
        boolean missing = config.clientId().filter(id -> !id.isBlank()).isEmpty()
                || config.clientSecret().filter(secret -> !secret.isBlank()).isEmpty();
        if (missing && LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException("Genesys Cloud credentials are missing: set genesys.client-id and "
                    + "genesys.client-secret (environment variables GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET)");
        }
    }
}
