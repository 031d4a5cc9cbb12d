package dev.dataaction.retry.genesys;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.client.spi.ResteasyReactiveClientRequestContext;
import org.jboss.resteasy.reactive.client.spi.ResteasyReactiveClientRequestFilter;
import org.jboss.resteasy.reactive.client.spi.ResteasyReactiveClientResponseFilter;

import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.AbstractTokensProducer;
import io.smallrye.mutiny.Uni;

/**
 * Puts the OIDC client's client-credentials token on every call to Genesys. The OIDC client's token manager caches the
 * token, refreshes it before it expires and lets concurrent calls share one token request. After a 401 the next call
 * fetches a new token; the response is looked at on the thread it arrived on, where the stock filter's 401 detection
 * would move every response to a worker thread and back.
 *
 * <p>
 * Whatever keeps a call from getting a token fails it with an {@link OidcClientException}, which the gateway reads as
 * "no token": an error answer, an unreachable login service, a 200 that is not JSON, or one without an access token
 * (the token manager would otherwise cache that answer and send {@code Bearer null}).
 */
@Singleton
@Priority(Priorities.AUTHENTICATION)
public class GenesysTokenFilter extends AbstractTokensProducer
        implements ResteasyReactiveClientRequestFilter, ResteasyReactiveClientResponseFilter {

    private final AtomicBoolean refreshBeforeNextCall = new AtomicBoolean();

    @Override
    protected void initTokens() {
        // the first call fetches the token: nothing is requested while the application starts
    }

    @Override
    protected boolean isForceNewTokens() {
        return refreshBeforeNextCall.getAndSet(false);
    }

    @Override
    public void filter(ResteasyReactiveClientRequestContext request) {
        request.suspend();
        getTokens().subscribe().with(tokens -> {
            String token = tokens.getAccessToken();
            if (token == null || token.isBlank()) {
                // the answer was cached as if it were a token: the next call asks again
                refreshBeforeNextCall.set(true);
                request.resume(new OidcClientException("the login service answered without an access token"));
                return;
            }
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + token);
            request.resume();
        }, failure -> request.resume(new OidcClientException("no token from the login service", failure)));
    }

    /**
     * Asks the login service for a new token, or joins the request already on its way, so that the login service never
     * has two of this service's token requests at once.
     */
    public Uni<Tokens> refresh() {
        refreshBeforeNextCall.set(true);
        return getTokens();
    }

    @Override
    public void filter(ResteasyReactiveClientRequestContext request, ClientResponseContext response) {
        if (response.getStatus() == 401) {
            refreshBeforeNextCall.set(true);
        }
    }
}
