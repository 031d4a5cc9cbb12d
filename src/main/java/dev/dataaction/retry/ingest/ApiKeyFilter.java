package dev.dataaction.retry.ingest;

import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Requires a valid {@code X-API-Key} on the {@code /v1} API, and an operator's key for anything but reading. Probes and
 * metrics under {@code /q} are not JAX-RS resources and stay open; the console under {@code /console} has sessions of its
 * own. Refusals are counted and their logging is bounded ({@link ApiKeyRefusals}); the key that was sent is never
 * logged.
 */
public class ApiKeyFilter {

    static final String HEADER = "X-API-Key";
    private static final String CONSOLE = "/console";
    private static final Set<String> READING = Set.of("GET", "HEAD", "OPTIONS");

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
        String path = request.getUriInfo().getPath();
        if (path.equals(CONSOLE) || path.startsWith(CONSOLE + "/")) {
            return null;
        }
        String presented = request.getHeaderString(HEADER);
        Optional<ApiKeys.Holder> holder = keys.holder(presented);
        if (holder.isPresent()) {
            if (!holder.get().mayAct() && !READING.contains(request.getMethod())) {
                return Problem.of(ProblemType.FORBIDDEN, "The key labelled " + holder.get().label()
                        + " is a viewer's: it may read, not change anything.").toResponse().build();
            }
            caller.is(holder.get().label());
            return null;
        }
        refusals.refused(presented == null || presented.isEmpty() ? ApiKeyRefusals.Reason.MISSING
                : ApiKeyRefusals.Reason.UNKNOWN, request.getMethod(),
                resource.getResourceClass().getSimpleName() + "." + resource.getMethodName());
        return Problem.of(ProblemType.UNAUTHORIZED, "Send a valid API key in the " + HEADER + " header.")
                .toResponse().build();
    }
}
