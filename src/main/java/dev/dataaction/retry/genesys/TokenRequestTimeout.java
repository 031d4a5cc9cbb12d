package dev.dataaction.retry.genesys;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.GenesysConfig;
import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcRequestFilter;
import io.smallrye.mutiny.Uni;

/**
 * Gives every token request {@code genesys.token-timeout}, for getting a connection and for each wait for data. The OIDC
 * client bounds only the TCP connect; a login service that accepts the connection and never answers would otherwise
 * hold the token manager's one shared request, and with it every later caller, for ever. Set on the request itself, so
 * that the request fails, the token manager forgets it and the next caller sends a new one. Unremovable: the OIDC client
 * looks its filters up in the container, which does not count as a use.
 */
@ApplicationScoped
@Unremovable
@OidcEndpoint(OidcEndpoint.Type.TOKEN)
class TokenRequestTimeout implements OidcRequestFilter {

    private final long timeoutMillis;

    TokenRequestTimeout(GenesysConfig genesys) {
        this.timeoutMillis = genesys.tokenTimeout().toMillis();
    }

    @Override
    public Uni<Void> filter(OidcRequestFilterContext request) {
        request.request().timeout(timeoutMillis);
        return Uni.createFrom().voidItem();
    }
}
