package dev.dataaction.retry.ingest;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Requires a valid {@code X-API-Key} on the {@code /v1} API. Probes and metrics under {@code /q} are not JAX-RS resources
 * and stay open. Refusals are counted and their logging is bounded ({@link ApiKeyRefusals}); the key that was sent is
 * never logged.
 */
public class ApiKeyFilter {

    static final String HEADER = "X-API-Key";

    private final ApiKeys keys;
    private final ApiKeyRefusals refusals;
    private final Caller caller;

    ApiKeyFilter(ApiKeys keys, ApiKeyRefusals refusals, Caller caller) {
        this.keys = keys;
        this.refusals = refusals;
        this.caller = caller;
    }

    @ServerRequestFilter
    public Response requireApiKey(ContainerRequestContext request, SimpleResourceInfo resource) {
        String presented = request.getHeaderString(HEADER);
        Optional<String> label = keys.caller(presented);
        if (label.isPresent()) {
            caller.is(label.get());
            return null;
        }
        refusals.refused(presented == null || presented.isEmpty() ? ApiKeyRefusals.Reason.MISSING
                : ApiKeyRefusals.Reason.UNKNOWN, request.getMethod(),
                resource.getResourceClass().getSimpleName() + "." + resource.getMethodName());
        return Problem.of(ProblemType.UNAUTHORIZED, "Send a valid API key in the " + HEADER + " header.")
                .toResponse().build();
    }
}
