package dev.dataaction.retry.ingest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Requires a valid {@code X-API-Key} on the {@code /v1} API. Probes and metrics under {@code /q} are not JAX-RS resources
 * and stay open. A refusal is logged with the method and path only, never with the key that was sent.
 */
public class ApiKeyFilter {

    static final String HEADER = "X-API-Key";
    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);

    private final ApiKeys keys;

    ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @ServerRequestFilter
    public Response requireApiKey(ContainerRequestContext request) {
        if (keys.admits(request.getHeaderString(HEADER))) {
            return null;
        }
        LOG.infof("Refused %s %s: missing or unknown API key", request.getMethod(), request.getUriInfo().getPath());
        return Problem.of(ProblemType.UNAUTHORIZED, "Send a valid API key in the " + HEADER + " header.")
                .toResponse().build();
    }
}
