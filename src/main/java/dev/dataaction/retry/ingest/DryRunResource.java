package dev.dataaction.retry.ingest;

import java.time.Duration;
import java.util.UUID;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.pipeline.DryRuns;
import dev.dataaction.retry.store.LastError;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/** Dry runs: what a retry's action would do now, asked of Genesys' test endpoint, without changing the retry. */
@Tag(name = "retries")
@APIResponse(responseCode = "401", description = "Missing or unknown API key", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@Path("/v1/retries")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class DryRunResource {

    private final DryRuns dryRuns;
    private final Caller caller;
    private final Duration retryAfter;

    DryRunResource(DryRuns dryRuns, Caller caller, OrchestratorConfig config) {
        this.dryRuns = dryRuns;
        this.caller = caller;
        this.retryAfter = config.queue().retryAfter();
    }

    @POST
    @Path("/{requestId}/test")
    @Operation(summary = "Dry-run a retry's action", description = "Runs the retry's action once through Genesys' test "
            + "endpoint with the retry's payload (and its flatten option) and returns Genesys' report step by step. The "
            + "retry does not change. Genesys executes the action for real: the remote system sees the call. It waits for "
            + "a slot under the traffic limits as an attempt does, and is audited as RETRY_TESTED.")
    @APIResponse(responseCode = "200", description = "Genesys' report; success says whether the action succeeded", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DryRunAnswer.class)))
    @APIResponse(responseCode = "403", description = "The API key may only read", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown retry", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The service runs in runs mode, which has no test endpoint", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "No slot under the traffic limits in time (limits-busy), or Genesys answered 429 (genesys-rate-limited, which holds the action's retries too); try again after Retry-After seconds", headers = @Header(name = "Retry-After"), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "Genesys refused the dry run itself, for example 404 for an unknown action; the detail gives Genesys' status, code, context id and message", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "No answer from Genesys, or no access token", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DryRunAnswer> test(@RestPath String requestId) {
        UUID id = RequestIds.parse(requestId);
        if (!dryRuns.available()) {
            throw new ProblemException(Problem.of(ProblemType.DRY_RUN_UNAVAILABLE, "Genesys' test endpoint exists for "
                    + "genesys.mode=execute only; this service runs in runs mode."));
        }
        return StoreAnswers.fromStore(dryRuns.test(id, caller.label()), retryAfter).map(outcome -> switch (outcome) {
            case DryRuns.Outcome.NotFound missing -> throw RequestIds.notFound(id);
            case DryRuns.Outcome.Busy busy -> throw new ProblemException(Problem.of(ProblemType.LIMITS_BUSY,
                    "No attempt slot came free under the traffic limits within " + busy.retryAfter().toSeconds()
                            + " s; nothing was sent."),
                    busy.retryAfter());
            case DryRuns.Outcome.Reported reported -> DryRunAnswer.of(reported);
            case DryRuns.Outcome.Refused refused -> throw refused(refused);
            case DryRuns.Outcome.Unanswered unanswered -> throw new ProblemException(Problem.of(
                    ProblemType.GENESYS_UNREACHABLE, "No answer from Genesys: " + unanswered.reason().message() + "."));
        });
    }

    private static ProblemException refused(DryRuns.Outcome.Refused refused) {
        LastError error = refused.error();
        String detail = "Genesys answered " + refused.httpStatus()
                + (error.code() == null ? "" : " " + error.code())
                + (error.contextId() == null ? "" : " (context id " + error.contextId() + ")")
                + ": " + error.message();
        Problem problem = Problem.of(refused.httpStatus() == 429 ? ProblemType.GENESYS_RATE_LIMITED
                : ProblemType.GENESYS_REFUSED, detail);
        return refused.retryAfter().map(wait -> new ProblemException(problem, wait))
                .orElseGet(() -> new ProblemException(problem));
    }
}
