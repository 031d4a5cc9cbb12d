package dev.dataaction.retry.genesys;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * The Genesys Cloud Platform API, as far as this service uses it. Every status comes back as a response (the default exception
 * mapper is disabled in configuration) so that {@link GenesysGateway} classifies each answer itself. Bodies go out as JSON
 * the gateway has already written: the client's Jackson writer would read the parameter's annotations by reflection on
 * every call, looking for a {@code @JsonView}. The access token comes from the gateway too, which takes it before the call
 * enters the action's circuit breaker.
 */
@RegisterRestClient(configKey = "genesys")
@Path("/api/v2")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
interface GenesysActionsApi {

    /** Genesys' correlation header: echoed back and forwarded to the action's remote endpoint. */
    String CORRELATION_HEADER = "ININ-Correlation-Id";

    /** @param flatten {@code true}, or null to leave the query out (Genesys' default, false) */
    @POST
    @Path("/integrations/actions/{actionId}/execute")
    Uni<Response> execute(@PathParam("actionId") String actionId, @QueryParam("flatten") Boolean flatten,
            @HeaderParam(CORRELATION_HEADER) String correlationId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] input);

    /**
     * Runs the action as {@link #execute} does, but answers with the execution step by step (Genesys'
     * {@code TestExecutionResult}); a dry run, never a retry's attempt.
     */
    @POST
    @Path("/integrations/actions/{actionId}/test")
    Uni<Response> test(@PathParam("actionId") String actionId, @QueryParam("flatten") Boolean flatten,
            @HeaderParam(CORRELATION_HEADER) String correlationId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] input);

    @POST
    @Path("/integration/actions/{actionId}/runs")
    Uni<Response> submitRun(@PathParam("actionId") String actionId,
            @HeaderParam(CORRELATION_HEADER) String correlationId,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] submission);
}
