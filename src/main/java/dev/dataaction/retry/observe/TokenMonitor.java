package dev.dataaction.retry.observe;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;

/**
 * Watches the OIDC client's token requests, so that readiness reflects whether a token can be obtained without asking
 * for one per probe. The response body is never read: it holds the token.
 */
@ApplicationScoped
@OidcEndpoint(OidcEndpoint.Type.TOKEN)
public class TokenMonitor implements OidcResponseFilter {

    private final AuditLog audit;
    private final RetryMetrics metrics;
    private volatile boolean lastRequestFailed;

    TokenMonitor(AuditLog audit, RetryMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    @Override
    public Uni<Void> filter(OidcResponseFilterContext response) {
        int status = response.statusCode();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("httpStatus", status);
        if (status >= 200 && status < 300) {
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
    public void tokenUnavailable() {
        if (!lastRequestFailed) {
            tokenUnavailable(new LinkedHashMap<>());
        }
    }

    /** Whether the most recent token request failed. */
    public boolean lastRequestFailed() {
        return lastRequestFailed;
    }

    private void tokenUnavailable(Map<String, Object> fields) {
        lastRequestFailed = true;
        metrics.tokenFailed();
        fields.put("reason", "token request failed");
        audit.write(AuditEvent.AUTH_FAILURE, fields);
    }
}
