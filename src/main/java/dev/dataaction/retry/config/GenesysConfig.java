package dev.dataaction.retry.config;

import java.time.Duration;
import java.util.Optional;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where Genesys Cloud is and how this service authenticates to it. The URLs themselves are wired into the REST client
 * and the OIDC client in {@code application.properties}; this mapping documents and validates the keys.
 */
@ConfigMapping(prefix = "genesys")
public interface GenesysConfig {

    /** The Genesys Cloud region's domain, for example {@code mypurecloud.ie}. */
    @WithDefault("mypurecloud.com")
    String region();

    /** Base URL of the Platform API; defaults to {@code https://api.{region}}. */
    String apiUrl();

    /** Base URL of the login service that issues tokens; defaults to {@code https://login.{region}}. */
    String loginUrl();

    /** The OAuth client's id (client-credentials grant). */
    Optional<String> clientId();

    /** The OAuth client's secret. Never logged. */
    Optional<String> clientSecret();

    /**
     * While the last token request failed, how often a new one is tried in the background, so that readiness comes
     * back when the login service does even if no retry needs a token.
     */
    @WithDefault("5s")
    Duration tokenRecheckInterval();

    /**
     * How long a token request may go unanswered before it counts as failed, like a refused one: the retries waiting for
     * it are held, and readiness reports the missing token. An attempt waits at most this long for its token.
     */
    @WithDefault("10s")
    @DurationMin(millis = 1)
    Duration tokenTimeout();

    /** Which Genesys contract a retry is executed through. */
    @WithDefault("execute")
    InvokerMode mode();

    /** How a retry reaches Genesys. */
    enum InvokerMode {
        /** {@code POST /api/v2/integrations/actions/{actionId}/execute}: Genesys Cloud's public API. */
        EXECUTE,
        /** {@code POST /api/v2/integration/actions/{actionId}/runs}: for gateways that expose the run-submission contract. */
        RUNS
    }
}
