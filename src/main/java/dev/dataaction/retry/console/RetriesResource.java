package dev.dataaction.retry.console;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.observe.AuditEvent;
import dev.dataaction.retry.observe.AuditLog;
import dev.dataaction.retry.pipeline.Admission;
import dev.dataaction.retry.pipeline.DryRuns;
import dev.dataaction.retry.pipeline.Redrive;
import dev.dataaction.retry.pipeline.RetryPipeline;
import dev.dataaction.retry.store.Cancellation;
import dev.dataaction.retry.store.RetryQuery;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoredSubmission;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * Retries, filtered and paged newest first with a cursor (fast however many are stored), and one retry's page: its
 * attempts as a timeline, its last error, the correlation id to search for in Genesys, and what an operator can do with
 * it. The payload is personal data: shown only when an operator asks, and the asking is audited.
 */
@Path(ConsoleGate.ROOT + "/retries")
@Produces(MediaType.TEXT_HTML)
@NonBlocking
public class RetriesResource {

    static final int PAGE = 50;

    /** The filter as the form shows it. */
    public record Filter(String status, String actionId, String originalRunId, String code, String from, String to) {

        public List<String> statuses() {
            return Arrays.stream(RetryStatus.values()).map(Enum::name).toList();
        }

        Map<String, String> query() {
            return Pages.query("status", status, "actionId", actionId, "originalRunId", originalRunId, "code", code,
                    "from", from, "to", to);
        }
    }

    /** One retry's row. */
    public record Row(String requestId, String href, String actionId, String originalRunId, String status,
            String acceptedAt, int attempts, String error) {
    }

    /** A page of retries; the links are empty when there is no such page. */
    public record Listing(Filter filter, List<Row> rows, String next, String first) {
    }

    /** One retry as its page shows it; {@code payload} and {@code dryRun} only when an operator asked for them. */
    public record Detail(String requestId, String actionId, String originalRunId, boolean flatten, String status,
            String acceptedAt, String completedAt, String nextAttemptAt, String runId, String errorCode,
            String errorMessage, String errorContextId, List<Timeline.Step> timeline, boolean cancellable,
            boolean redrivable, String payload, DryRunReport dryRun) {
    }

    private final RetryStore store;
    private final RetryPipeline pipeline;
    private final ConsoleUser user;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final DryRuns dryRuns;

    RetriesResource(RetryStore store, RetryPipeline pipeline, ConsoleUser user, AuditLog audit, ObjectMapper json,
            DryRuns dryRuns) {
        this.store = store;
        this.pipeline = pipeline;
        this.user = user;
        this.audit = audit;
        this.json = json;
        this.dryRuns = dryRuns;
    }

    @GET
    public Uni<String> list(@RestQuery String status, @RestQuery String actionId, @RestQuery String originalRunId,
            @RestQuery String code, @RestQuery String from, @RestQuery String to, @RestQuery String after,
            @RestQuery String notice) {
        Filter filter = new Filter(blankless(status), blankless(actionId), blankless(originalRunId), blankless(code),
                blankless(from), blankless(to));
        RetryQuery query = query(filter, after);
        return Pages.fromStore(store.list(query)).chain(found -> {
            List<RetryRecord> shown = found.size() > PAGE ? found.subList(0, PAGE) : found;
            Map<String, String> nextQuery = new LinkedHashMap<>(filter.query());
            String next = "";
            if (found.size() > PAGE) {
                RetryQuery.Cursor last = RetryQuery.Cursor.of(shown.getLast());
                nextQuery.put("after", last.acceptedAt() + "_" + last.requestId());
                next = Pages.link(ConsoleGate.ROOT + "/retries", nextQuery);
            }
            String first = after == null || after.isBlank() ? "" : Pages.link(ConsoleGate.ROOT + "/retries", filter.query());
            return Templates.retries(user.page("Retries", ConsolePage.Section.RETRIES, notice),
                    new Listing(filter, shown.stream().map(RetriesResource::row).toList(), next, first)).createUni();
        });
    }

    @GET
    @Path("/{requestId}")
    public Uni<String> retry(@RestPath String requestId, @RestQuery String notice) {
        UUID id = id(requestId);
        return Pages.fromStore(store.find(id)).chain(found -> detail(found.orElseThrow(() -> missing(id)), null, null,
                notice));
    }

    /** Shows the payload: an operator's explicit act, written to the audit trail. */
    @POST
    @Path("/{requestId}/payload")
    public Uni<String> payload(@RestPath String requestId, @RestForm String csrf) {
        String by = user.act(csrf);
        UUID id = id(requestId);
        return Pages.fromStore(store.submission(id)).chain(found -> {
            StoredSubmission submission = found.orElseThrow(() -> missing(id));
            String payload = Pages.json(json, submission.payload());
            audit.write(AuditEvent.PAYLOAD_VIEWED, Map.of("by", by, "requestId", id.toString(), "payloadBytes",
                    submission.payload().toString().getBytes(StandardCharsets.UTF_8).length));
            return detail(submission.retry(), payload, null, null);
        });
    }

    /**
     * Runs the retry's action through Genesys' test endpoint and shows the report on the retry's page; the retry does not
     * change, and the dry run is audited ({@code RETRY_TESTED}) as through the API.
     */
    @POST
    @Path("/{requestId}/test")
    public Uni<String> test(@RestPath String requestId, @RestForm String csrf) {
        String by = user.act(csrf);
        UUID id = id(requestId);
        if (!dryRuns.available()) {
            throw ConsoleRefusal.invalid("dry runs need genesys.mode=execute.");
        }
        return Pages.fromStore(dryRuns.test(id, by)).chain(outcome -> switch (outcome) {
            case DryRuns.Outcome.NotFound notFound -> throw missing(id);
            case DryRuns.Outcome.Busy busy -> Pages.fromStore(store.find(id)).chain(found -> detail(
                    found.orElseThrow(() -> missing(id)), null, null, "Not run: the traffic limits left no room within "
                            + busy.retryAfter().toSeconds() + " s. Try again in a moment."));
            case DryRuns.Outcome.Reported reported -> detail(reported.retry(), null, DryRunReport.of(reported, json), null);
            case DryRuns.Outcome.Refused refused -> detail(refused.retry(), null, DryRunReport.of(refused), null);
            case DryRuns.Outcome.Unanswered unanswered ->
                detail(unanswered.retry(), null, DryRunReport.of(unanswered), null);
        });
    }

    @POST
    @Path("/{requestId}/cancel")
    public Uni<Response> cancel(@RestPath String requestId, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        UUID id = id(requestId);
        return Pages.fromStore(pipeline.cancel(id)).map(cancellation -> {
            String notice = switch (cancellation) {
                case Cancellation.Cancelled cancelled -> {
                    audit.write(AuditEvent.RETRIES_CANCELLED, Map.of("by", by, "requestId", id.toString(), "count", 1));
                    yield "Cancelled.";
                }
                case Cancellation.AlreadyFinished finished -> "Not cancelled: it had already finished as "
                        + finished.retry().status() + ".";
                case Cancellation.NotFound notFound -> throw missing(id);
            };
            return Pages.redirect(uri, Pages.link(ConsoleGate.ROOT + "/retries/" + id, Pages.query("notice", notice)));
        });
    }

    @POST
    @Path("/{requestId}/redrive")
    public Uni<Response> redrive(@RestPath String requestId, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        UUID id = id(requestId);
        return Pages.fromStore(pipeline.redrive(id)).map(redrive -> {
            UUID shown = id;
            String notice;
            switch (redrive) {
                case Redrive.Submitted(Admission.Accepted accepted) -> {
                    audit.write(AuditEvent.RETRIES_REDRIVEN, Map.of("by", by, "requestId", id.toString(), "count", 1));
                    shown = accepted.retry().requestId();
                    notice = "Redriven as this new retry.";
                }
                case Redrive.Submitted(Admission.Duplicate duplicate) -> {
                    shown = duplicate.retry().requestId();
                    notice = "Not redriven: this retry already holds its key.";
                }
                case Redrive.Submitted submitted -> notice = "Not redriven now: the service is busy or the store "
                        + "cannot be reached; try again in a moment.";
                case Redrive.NotRedrivable stays -> notice = "Not redriven: it is " + stays.retry().status() + ".";
                case Redrive.NotFound notFound -> throw missing(id);
            }
            return Pages.redirect(uri, Pages.link(ConsoleGate.ROOT + "/retries/" + shown, Pages.query("notice", notice)));
        });
    }

    private Uni<String> detail(RetryRecord retry, String payload, DryRunReport dryRun, String notice) {
        boolean error = retry.lastError() != null;
        Detail detail = new Detail(retry.requestId().toString(), retry.actionId(), retry.originalRunId(), retry.flatten(),
                retry.status().name(), Pages.time(retry.acceptedAt()), Pages.time(retry.completedAt()),
                Pages.time(retry.nextAttemptAt()), retry.runId(), error ? retry.lastError().code() : null,
                error ? retry.lastError().message() : null, error ? retry.lastError().contextId() : null,
                Timeline.of(retry.attempts()), !retry.status().isFinished(), retry.status().allowsRedrive(), payload,
                dryRun);
        return Templates.retry(user.page("Retry " + retry.requestId(), ConsolePage.Section.RETRIES, notice), detail)
                .createUni();
    }

    private static RetryQuery query(Filter filter, String after) {
        Set<RetryStatus> statuses = Set.of();
        if (filter.status() != null) {
            try {
                statuses = Set.of(RetryStatus.valueOf(filter.status().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException unknown) {
                throw ConsoleRefusal.invalid("status: must be one of " + List.of(RetryStatus.values()) + ".");
            }
        }
        return RetryQuery.newest(PAGE + 1).withStatuses(statuses)
                .withActionId(Optional.ofNullable(filter.actionId()))
                .withOriginalRunId(Optional.ofNullable(filter.originalRunId()))
                .withErrorCode(Optional.ofNullable(filter.code()))
                .withAccepted(instant("from", filter.from()), instant("to", filter.to()))
                .withAfter(cursor(after));
    }

    /** A time as the form's date-and-time fields send it, read as UTC; an ISO instant is taken too. */
    private static Optional<Instant> instant(String field, String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(text.endsWith("Z") ? Instant.parse(text)
                    : LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException unreadable) {
            throw ConsoleRefusal.invalid(field + ": not a date and time such as 2026-12-06T09:30 (UTC).");
        }
    }

    private static Optional<RetryQuery.Cursor> cursor(String after) {
        if (after == null || after.isBlank()) {
            return Optional.empty();
        }
        int split = after.lastIndexOf('_');
        try {
            return Optional.of(new RetryQuery.Cursor(Instant.parse(after.substring(0, split)),
                    UUID.fromString(after.substring(split + 1))));
        } catch (RuntimeException unreadable) {
            throw ConsoleRefusal.invalid("after: not a position in the list; start again from the first page.");
        }
    }

    private static Row row(RetryRecord retry) {
        return new Row(retry.requestId().toString(), ConsoleGate.ROOT + "/retries/" + retry.requestId(),
                retry.actionId(), retry.originalRunId(), retry.status().name(), Pages.time(retry.acceptedAt()),
                retry.attempts().size(), retry.lastError() == null ? "" : retry.lastError().code());
    }

    private static UUID id(String requestId) {
        try {
            return UUID.fromString(requestId);
        } catch (IllegalArgumentException notAnId) {
            throw ConsoleRefusal.notFound("There is no retry " + requestId + ".");
        }
    }

    private static ConsoleRefusal missing(UUID id) {
        return ConsoleRefusal.notFound("There is no retry " + id + ": it is unknown, or it was forgotten after its "
                + "retention.");
    }

    private static String blankless(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
