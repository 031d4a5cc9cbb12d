package dev.dataaction.retry.ingest;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.pipeline.Admission;
import dev.dataaction.retry.pipeline.Redrive;
import dev.dataaction.retry.pipeline.RetryPipeline;
import dev.dataaction.retry.pipeline.Submission;
import dev.dataaction.retry.store.Cancellation;
import dev.dataaction.retry.store.RetryQuery;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStore;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The retry API: submit failed executions, follow them, cancel them. */
@Tag(name = "retries", description = "Failed Data Action executions and their retries")
@APIResponse(responseCode = "401", description = "Missing or unknown API key", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@Path("/v1/retries")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class RetryResource {

    static final int MAX_BATCH = 100;
    private static final String EXAMPLE_REQUEST = """
            {"actionId": "custom-8f2b6a40-crm-lookup", "originalRunId": "flow-run-2041", \
            "requestPayload": {"customerId": "C-1001", "phone": "+3531234567"}}""";

    private final RetryRequestReader reader;
    private final RetryPipeline pipeline;
    private final RetryStore store;
    private final Duration retryAfter;

    RetryResource(RetryRequestReader reader, RetryPipeline pipeline, RetryStore store, OrchestratorConfig config) {
        this.reader = reader;
        this.pipeline = pipeline;
        this.store = store;
        this.retryAfter = config.queue().retryAfter();
    }

    /** Accepts one failed execution: 202 when new, 200 with the existing record when it is a duplicate. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a failed execution for retry", description = "Idempotent on (actionId, originalRunId): "
            + "while a retry with that key is unfinished, or once it succeeded, the existing record is returned.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRequest.class), examples = @ExampleObject(name = "lookup", value = EXAMPLE_REQUEST)))
    @APIResponse(responseCode = "202", description = "Accepted; Location names the new retry", headers = @Header(name = "Location"), content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "200", description = "A retry with this key exists; nothing new was started", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON or invalid fields, all listed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Body larger than quarkus.http.limits.max-body-size")
    @APIResponse(responseCode = "429", description = "Queue full; try again after Retry-After seconds", headers = @Header(name = "Retry-After"), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Shutting down, or the store cannot be reached; nothing was stored. Try again after Retry-After seconds", headers = @Header(name = "Retry-After"), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> submit(String body) {
        RetryRequestReader.Reading.Valid request = switch (reader.read(reader.parse(body), "")) {
            case RetryRequestReader.Reading.Valid valid -> valid;
            case RetryRequestReader.Reading.Invalid invalid -> throw new ProblemException(invalid(invalid));
        };
        return admit(request).map(admission -> AdmissionAnswer.of(admission).toResponse());
    }

    /** Accepts up to {@value #MAX_BATCH} failed executions; each item is answered on its own, in input order. */
    @POST
    @Path("/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit up to " + MAX_BATCH
            + " failed executions", description = "Each item is accepted, recognised as a "
                    + "duplicate or rejected on its own; results come in input order.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = RetryRequest.class, maxItems = MAX_BATCH)))
    @APIResponse(responseCode = "200", description = "One result per item", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchResults.class)))
    @APIResponse(responseCode = "400", description = "Not a JSON array, or more than " + MAX_BATCH
            + " items", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<BatchResults> submitBatch(String body) {
        JsonNode items = reader.parse(body);
        if (!items.isArray()) {
            throw new ProblemException(Problem.invalid("The batch must be a JSON array of retry requests.",
                    List.of(new Problem.FieldError("$", "must be a JSON array"))));
        }
        if (items.size() > MAX_BATCH) {
            throw new ProblemException(Problem.invalid("A batch holds at most " + MAX_BATCH + " items.",
                    List.of(new Problem.FieldError("$", "has " + items.size() + " items, more than " + MAX_BATCH))));
        }
        return inOrder(items.size(), index -> switch (reader.read(items.get(index), "[" + index + "]")) {
            case RetryRequestReader.Reading.Invalid invalid -> Uni.createFrom().item(rejected(index, invalid(invalid)));
            case RetryRequestReader.Reading.Valid valid ->
                admit(valid).map(admission -> AdmissionAnswer.of(admission).toItem(index));
        });
    }

    @GET
    @Path("/{requestId}")
    @Operation(summary = "Read one retry")
    @APIResponse(responseCode = "200", description = "The retry", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "404", description = "Unknown, or forgotten after its retention", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RetryRecord> get(@RestPath String requestId) {
        UUID id = RequestIds.parse(requestId);
        return fromStore(store.find(id)).map(found -> found.orElseThrow(() -> RequestIds.notFound(id)));
    }

    /** Retries newest first, optionally of one status or one action. */
    @GET
    @Operation(summary = "List retries, newest first")
    @APIResponse(responseCode = "200", description = "The retries", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = RetryRecord.class)))
    @APIResponse(responseCode = "400", description = "Unknown status or limit out of range", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<RetryRecord>> list(
            @Parameter(description = "PENDING, IN_FLIGHT, SUCCEEDED, FAILED, EXHAUSTED or CANCELLED") @RestQuery String status,
            @Parameter(description = "Only retries of this action") @RestQuery String actionId,
            @Parameter(description = QueryParameters.LIMIT) @RestQuery String limit) {
        return fromStore(store.list(QueryParameters.read(status, actionId, limit, false)));
    }

    /** Starts a failed, exhausted or cancelled retry again, as a new retry with the same action, run id and payload. */
    @POST
    @Path("/{requestId}/redrive")
    @Operation(summary = "Redrive one failed, exhausted or cancelled retry", description = "Starts a new retry with the "
            + "same actionId, originalRunId and payload. If another retry already holds that key, it is returned instead.")
    @APIResponse(responseCode = "202", description = "Accepted; Location names the new retry", headers = @Header(name = "Location"), content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "200", description = "Another retry holds the key; nothing new was started", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "404", description = "Unknown retry", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The retry has not finished, or it succeeded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "Queue full; try again after Retry-After seconds", headers = @Header(name = "Retry-After"), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> redrive(@RestPath String requestId) {
        UUID id = RequestIds.parse(requestId);
        return fromStore(pipeline.redrive(id)).map(redrive -> switch (redrive) {
            case Redrive.Submitted submitted -> AdmissionAnswer.of(submitted.admission()).toResponse();
            case Redrive.NotRedrivable stays -> throw new ProblemException(Problem.of(ProblemType.NOT_REDRIVABLE,
                    "Retry " + id + " is " + stays.retry().status()
                            + "; only FAILED, EXHAUSTED and CANCELLED retries can be redriven."));
            case Redrive.NotFound missing -> throw RequestIds.notFound(id);
        });
    }

    /**
     * Redrives, newest first, up to {@code limit} retries of one status (and optionally one action), one per idempotency
     * key, skipping keys that another retry already holds.
     */
    @POST
    @Path("/redrive")
    @Operation(summary = "Redrive failed, exhausted or cancelled retries in bulk", description = "Each is started again "
            + "as a new retry; results come newest first. Keys that another retry holds are skipped, so repeating the "
            + "call goes on with the retries not yet redriven.")
    @APIResponse(responseCode = "200", description = "One result per redriven retry", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchResults.class)))
    @APIResponse(responseCode = "400", description = "Missing or unknown status, or limit out of range", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<BatchResults> redriveAll(
            @Parameter(description = "FAILED, EXHAUSTED or CANCELLED", required = true) @RestQuery String status,
            @Parameter(description = "Only retries of this action") @RestQuery String actionId,
            @Parameter(description = QueryParameters.LIMIT) @RestQuery String limit) {
        RetryQuery query = QueryParameters.read(status, actionId, limit, true);
        return fromStore(store.redrivable(query)).chain(stopped -> inOrder(stopped.size(),
                index -> pipeline.redrive(stopped.get(index)).map(admission -> AdmissionAnswer.of(admission).toItem(index))));
    }

    /** Cancels an unfinished retry: 200 with the record, 409 when it had already finished. */
    @DELETE
    @Path("/{requestId}")
    @Operation(summary = "Cancel an unfinished retry", description = "Its pending delay is dropped and its queue slot "
            + "freed; an attempt already on the wire finishes and its outcome is recorded, without further attempts.")
    @APIResponse(responseCode = "200", description = "Cancelled", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetryRecord.class)))
    @APIResponse(responseCode = "404", description = "Unknown retry", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Already finished", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RetryRecord> cancel(@RestPath String requestId) {
        UUID id = RequestIds.parse(requestId);
        return fromStore(pipeline.cancel(id)).map(cancellation -> switch (cancellation) {
            case Cancellation.Cancelled cancelled -> cancelled.retry();
            case Cancellation.AlreadyFinished finished -> throw new ProblemException(Problem.of(
                    ProblemType.ALREADY_FINISHED, "Retry " + id + " has already finished as "
                            + finished.retry().status() + "."));
            case Cancellation.NotFound missing -> throw RequestIds.notFound(id);
        });
    }

    /** Runs one admission after another, in input order: a batch never races itself for queue permits. */
    private static Uni<BatchResults> inOrder(int count, IntFunction<Uni<BatchResults.Item>> item) {
        return Multi.createFrom().range(0, count).onItem().transformToUniAndConcatenate(item::apply).collect().asList()
                .map(BatchResults::new);
    }

    private <T> Uni<T> fromStore(Uni<T> call) {
        return StoreAnswers.fromStore(call, retryAfter);
    }

    private Uni<Admission> admit(RetryRequestReader.Reading.Valid valid) {
        RetryRequest request = valid.request();
        return pipeline.submit(new Submission(request.actionId(), request.originalRunId(), request.requestPayload(),
                Boolean.TRUE.equals(request.flatten())), valid.payloadBytes());
    }

    private static Problem invalid(RetryRequestReader.Reading.Invalid invalid) {
        return Problem.invalid("The retry request has invalid fields.", invalid.errors());
    }

    private static BatchResults.Item rejected(int index, Problem problem) {
        return new BatchResults.Item(index, BatchResults.Outcome.REJECTED, null, problem);
    }
}
