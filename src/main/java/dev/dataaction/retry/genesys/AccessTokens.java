package dev.dataaction.retry.genesys;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.AbstractTokensProducer;
import io.smallrye.mutiny.Uni;

/**
 * The OIDC client's client-credentials token for the calls to Genesys. The OIDC client's token manager caches the token,
 * refreshes it before it expires and lets concurrent callers share one token request. A token Genesys refused (401) is
 * not handed out again: the caller that finds it cached asks the login service for a new one.
 *
 * <p>
 * The gateway takes the token before it lets a call through the action's circuit breaker, so that a login service in
 * trouble neither opens nor closes a breaker. Whatever keeps a caller from getting a token fails it with an
 * {@link OidcClientException}: an error answer, an unreachable login service, a 200 that is not JSON, or one without an
 * access token (the token manager would otherwise cache that answer and send {@code Bearer null}).
 */
@Singleton
public class AccessTokens extends AbstractTokensProducer {

    /** An attempt found no access token: the login service failed it, or did not answer in time. */
    public record Unavailable() {
    }

    private static final Unavailable UNAVAILABLE = new Unavailable();

    private final AtomicBoolean refreshBeforeNextCall = new AtomicBoolean();
    private final AtomicReference<String> refused = new AtomicReference<>();
    @Inject
    Event<Unavailable> unavailable;

    @Override
    protected void initTokens() {
        // the first call fetches the token: nothing is requested while the application starts
    }

    @Override
    protected boolean isForceNewTokens() {
        return refreshBeforeNextCall.getAndSet(false);
    }

    /** The access token to send to Genesys, cached or fetched, never one Genesys refused. */
    Uni<String> accessToken() {
        return getTokens().chain(this::unlessRefused).map(tokens -> {
            String token = tokens.getAccessToken();
            if (token == null || token.isBlank()) {
                // the answer was cached as if it were a token: the next call asks again
                refreshBeforeNextCall.set(true);
                throw new OidcClientException("the login service answered without an access token");
            }
            return token;
        });
    }

    /** Tells whoever watches the login service that an attempt found no token. */
    void unavailable() {
        unavailable.fire(UNAVAILABLE);
    }

    /**
     * Genesys answered 401 to a call that carried {@code token}. Remembering the token, rather than raising a flag for the
     * next call, keeps it from being handed out again when another caller's token request takes the flag and has not yet
     * replaced the cached token: the refused call would be repeated with the same token and refused for good.
     */
    void refused(String token) {
        refused.set(token);
    }

    /**
     * A new token instead of a refused one. Once it is had, the refusal is settled: a login service that hands out the
     * refused token again gets it sent, and a second 401 ends the retry, rather than every later call asking for a token.
     */
    private Uni<Tokens> unlessRefused(Tokens tokens) {
        String token = tokens.getAccessToken();
        if (token == null || !token.equals(refused.get())) {
            return Uni.createFrom().item(tokens);
        }
        // joins the request on its way, if another caller sent one
        refreshBeforeNextCall.set(true);
        return getTokens().invoke(renewed -> refused.updateAndGet(current -> token.equals(current) ? null : current));
    }

    /**
     * Asks the login service for a new token, or joins the request already on its way, so that the login service never
     * has two of this service's token requests at once.
     */
    public Uni<Tokens> refresh() {
        refreshBeforeNextCall.set(true);
        return getTokens();
    }
}
