package dev.dataaction.retry.ingest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every error of the HTTP API into a problem body. Exception messages of unexpected failures are logged, never sent:
 * they may name internals or carry data.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException exception) {
        Response.ResponseBuilder response = exception.problem().toResponse();
        exception.retryAfter().ifPresent(wait -> response.header("Retry-After", wait.toSeconds()));
        return response.build();
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException exception) {
        Response original = exception.getResponse();
        ProblemType type = ProblemType.forStatus(original.getStatus());
        Response.ResponseBuilder response = new Problem(type.uri(), type.title(), original.getStatus(), type.title(), null,
                null).toResponse();
        if (original.getHeaderString("Allow") != null) {
            response.header("Allow", original.getHeaderString("Allow"));
        }
        return response.build();
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable failure) {
        LOG.error("Unexpected failure while answering a request", failure);
        return Problem.of(ProblemType.INTERNAL_ERROR, "The request could not be completed.").toResponse().build();
    }
}
