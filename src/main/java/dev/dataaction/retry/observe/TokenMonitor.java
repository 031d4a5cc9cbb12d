package dev.dataaction.retry.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import dev.dataaction.retry.config.GenesysConfig;
import dev.dataaction.retry.genesys.AccessTokens;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * Watches the OIDC client's token requests, so that readiness reflects whether a token can be obtained without asking
 * for one per probe. A request succeeded when its answer is a 2xx that holds an access token; the body is looked at for
 * that only, never logged or kept: it holds the token.
 */
@ApplicationScoped
@OidcEndpoint(OidcEndpoint.Type.TOKEN)
public class TokenMonitor implements OidcResponseFilter {

    private final AuditLog audit;
    private final RetryMetrics metrics;
    private final Instance<AccessTokens> tokens;
    private final long recheckNanos;
    private final AtomicLong lastRecheck = new AtomicLong(System.nanoTime());
    private volatile boolean lastRequestFailed;

    TokenMonitor(AuditLog audit, RetryMetrics metrics, Instance<AccessTokens> tokens, GenesysConfig genesys) {
        this.audit = audit;
        this.metrics = metrics;
        this.tokens = tokens;
        this.recheckNanos = genesys.tokenRecheckInterval().toNanos();
    }

    @Override
    public Uni<Void> filter(OidcResponseFilterContext response) {
        int status = response.statusCode();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("httpStatus", status);
        if (status >= 200 && status < 300 && holdsAnAccessToken(response.responseBody())) {
            lastRequestFailed = false;
            audit.write(AuditEvent.TOKEN_REFRESHED, fields);
        } else {
            tokenUnavailable(fields);
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * A call found no token, for example because the login service is unreachable. Every retry waiting on the same
     * failed token request reports it, so only the change from working to failing is counted and logged.
     */
    void tokenUnavailable(@Observes AccessTokens.Unavailable attempt) {
        if (!lastRequestFailed) {
            tokenUnavailable(new LinkedHashMap<>());
        }
    }

    /**
     * Whether the most recent token request failed. While it did, this asks for a token in the background at most once
     * per {@code genesys.token-recheck-interval}: a pod that is not ready gets no retries, and without this nothing
     * would ever find out that the login service is back.
     */
    public boolean lastRequestFailed() {
        if (lastRequestFailed) {
            recheckInBackground();
        }
        return lastRequestFailed;
    }

    private void recheckInBackground() {
        long now = System.nanoTime();
        long last = lastRecheck.get();
        if (now - last >= recheckNanos && lastRecheck.compareAndSet(last, now)) {
            // through the token manager the retries use, so that a request of theirs on its way is joined, not doubled;
            // the outcome reaches filter() as the token response; a connection failure leaves the state as it is
            tokens.get().refresh().subscribe().with(fetched -> {
            }, failed -> {
            });
        }
    }

    private static boolean holdsAnAccessToken(Buffer body) {
        if (body == null || body.length() == 0) {
            return false;
        }
        try {
            return body.toJsonObject().getValue("access_token") instanceof String token && !token.isBlank();
        } catch (DecodeException | ClassCastException notATokenAnswer) {
            return false;
        }
    }

    private void tokenUnavailable(Map<String, Object> fields) {
        lastRequestFailed = true;
        metrics.tokenFailed();
        fields.put("reason", "token request failed");
        audit.write(AuditEvent.AUTH_FAILURE, fields);
    }
}
