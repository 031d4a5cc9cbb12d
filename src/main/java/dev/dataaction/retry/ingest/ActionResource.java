package dev.dataaction.retry.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.pipeline.AttemptGate;
import dev.dataaction.retry.pipeline.TrafficControls;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.TrafficSettings;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * The runtime controls of what reaches Genesys: the actions' state, their limits and pauses, and the service's limits.
 * Each change is written to the audit trail with the label of the API key that made it.
 */
@Tag(name = "traffic", description = "Limits on what reaches Genesys, per action and for the whole service")
@APIResponse(responseCode = "401", description = "Missing or unknown API key", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class ActionResource {

    /**
     * One action, as this replica sees it.
     *
     * @param configured the limits that apply, before adaptation: as set at run time, else as configured (null: none)
     * @param effective this replica's share of them, as adapted to Genesys' 429s (null: none)
     * @param inFlight attempts on the wire from this replica
     * @param waiting due retries on this replica waiting for a slot
     * @param breaker the circuit breaker's state: CLOSED, OPEN or HALF_OPEN
     * @param rateLimitedUntil until when a Retry-After holds the action's retries; null when none does
     */
    @RegisterForReflection // the body of the /v1/actions answers, serialised by Jackson
    public record ActionState(String actionId, boolean paused, String pauseReason, TrafficSettings.Limits configured,
            TrafficSettings.Limits effective, int inFlight, int waiting, String breaker, Instant rateLimitedUntil,
            LastError lastError) {

        static ActionState of(TrafficControls.ActionView view) {
            AttemptGate.ActionTraffic traffic = view.traffic();
            return new ActionState(traffic.actionId(), traffic.paused(), traffic.pauseReason(), traffic.configured(),
                    traffic.effective(), traffic.inFlight(), traffic.waiting(), view.breaker(),
                    traffic.rateLimitedUntil(), traffic.lastError());
        }
    }

    private static final String LIMITS_EXAMPLE = "{\"maxConcurrent\": 5, \"maxPerSecond\": 20}";

    private final TrafficControls controls;
    private final RetryRequestReader reader;
    private final Caller caller;
    private final Duration retryAfter;

    ActionResource(TrafficControls controls, RetryRequestReader reader, Caller caller, OrchestratorConfig config) {
        this.controls = controls;
        this.reader = reader;
        this.caller = caller;
        this.retryAfter = config.queue().retryAfter();
    }

    @GET
    @Path("/actions")
    @Operation(summary = "The actions seen recently or configured, least recently seen first")
    @APIResponse(responseCode = "200", description = "The actions", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = ActionState.class)))
    public List<ActionState> actions() {
        return controls.actions().stream().map(ActionState::of).toList();
    }

    @GET
    @Path("/actions/{actionId}")
    @Operation(summary = "One action's limits and state")
    @APIResponse(responseCode = "200", description = "The action", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActionState.class)))
    @APIResponse(responseCode = "404", description = "Neither seen recently, nor configured, nor changed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ActionState action(@RestPath String actionId) {
        String id = ControlBodies.actionId(actionId);
        return controls.action(id).map(ActionState::of).orElseThrow(() -> new ProblemException(Problem.of(
                ProblemType.NOT_FOUND, "Action " + id + " was neither seen recently, nor configured, nor changed.")));
    }

    @PUT
    @Path("/actions/{actionId}/limits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set one action's limits", description = "Every replica applies them within one poll interval. "
            + "A member that is null or absent returns to the configured value.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, example = LIMITS_EXAMPLE))
    @APIResponse(responseCode = "200", description = "The action, with its new limits", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActionState.class)))
    @APIResponse(responseCode = "400", description = "Not an object, an unknown field, or a limit that is not positive", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ActionState> setActionLimits(@RestPath String actionId, String body) {
        String id = ControlBodies.actionId(actionId);
        TrafficSettings.Limits limits = ControlBodies.limits(reader.parse(body));
        return StoreAnswers.fromStore(controls.setActionLimits(id, limits, caller.label()), retryAfter)
                .map(ActionState::of);
    }

    @POST
    @Path("/actions/{actionId}/pause")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Pause an action", description = "Its retries are still accepted; those that come due wait, "
            + "PENDING with lastError.code action.paused, until it is resumed, and end EXHAUSTED at max-duration if the "
            + "pause outlasts it. Attempts already on the wire finish.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, example = "{\"reason\": \"CRM maintenance until 10:00\"}"))
    @APIResponse(responseCode = "200", description = "The action, paused", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActionState.class)))
    @APIResponse(responseCode = "400", description = "Not an object, an unknown field, or a reason too long", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ActionState> pause(@RestPath String actionId, String body) {
        String id = ControlBodies.actionId(actionId);
        String reason = ControlBodies.reason(body == null || body.isBlank() ? null : reader.parse(body));
        return StoreAnswers.fromStore(controls.pause(id, reason, caller.label()), retryAfter).map(ActionState::of);
    }

    @POST
    @Path("/actions/{actionId}/resume")
    @Operation(summary = "Resume a paused action", description = "The retries its pause held are due at once.")
    @APIResponse(responseCode = "200", description = "The action, resumed", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ActionState.class)))
    public Uni<ActionState> resume(@RestPath String actionId) {
        String id = ControlBodies.actionId(actionId);
        return StoreAnswers.fromStore(controls.resume(id, caller.label()), retryAfter).map(ActionState::of);
    }

    @GET
    @Path("/limits")
    @Operation(summary = "The service's limits, and its state on this replica")
    @APIResponse(responseCode = "200", description = "The limits", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AttemptGate.ServiceTraffic.class)))
    public AttemptGate.ServiceTraffic limits() {
        return controls.serviceTraffic();
    }

    @PUT
    @Path("/limits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the service's limits", description = "For every replica together; each applies its "
            + "share within one poll interval. A member that is null or absent returns to the configured value.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, example = LIMITS_EXAMPLE))
    @APIResponse(responseCode = "200", description = "The new limits", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AttemptGate.ServiceTraffic.class)))
    @APIResponse(responseCode = "400", description = "Not an object, an unknown field, or a limit that is not positive", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<AttemptGate.ServiceTraffic> setLimits(String body) {
        TrafficSettings.Limits limits = ControlBodies.limits(reader.parse(body));
        return StoreAnswers.fromStore(controls.setServiceLimits(limits, caller.label()), retryAfter);
    }
}
