package dev.dataaction.retry.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import dev.dataaction.retry.observe.AuditEvent;
import dev.dataaction.retry.observe.AuditLog;
import dev.dataaction.retry.pipeline.Admission;
import dev.dataaction.retry.pipeline.RetryPipeline;
import dev.dataaction.retry.store.Cancellation;
import dev.dataaction.retry.store.FailureGroup;
import dev.dataaction.retry.store.RetryQuery;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoredSubmission;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Failures grouped by cause, {@code (actionId, lastError.code)}, newest first; from a group, an operator opens its
 * retries, redrives its dead letters or cancels its unfinished retries, each after a page that says how many.
 */
@Path(ConsoleGate.ROOT + "/failures")
@Produces(MediaType.TEXT_HTML)
@NonBlocking
public class FailuresResource {

    /** Groups shown at most. */
    static final int GROUPS = 100;
    /** Retries one confirmation acts on at most; the page says so when a group holds more. */
    static final int AT_ONCE = 500;

    /** One group's row. */
    public record Group(String actionId, String code, long dead, long failing, String firstSeen, String lastSeen,
            String sample, String open, String redrive, String cancel) {
    }

    /** What a confirmation page asks, and what its form posts. */
    public record Confirmation(String question, String action, String actionId, String code, long count, String back) {
    }

    private final RetryStore store;
    private final RetryPipeline pipeline;
    private final ConsoleUser user;
    private final AuditLog audit;

    FailuresResource(RetryStore store, RetryPipeline pipeline, ConsoleUser user, AuditLog audit) {
        this.store = store;
        this.pipeline = pipeline;
        this.user = user;
        this.audit = audit;
    }

    @GET
    public Uni<String> page(@RestQuery String notice) {
        return Pages.fromStore(store.failureGroups(GROUPS)).chain(groups -> Templates.failures(
                user.page("Failures", ConsolePage.Section.FAILURES, notice), groups.stream().map(FailuresResource::row)
                        .toList())
                .createUni());
    }

    @GET
    @Path("/redrive")
    public Uni<String> confirmRedrive(@RestQuery String actionId, @RestQuery String code) {
        return Pages.fromStore(store.redrivable(dead(actionId, code))).chain(dead -> confirm(
                "Redrive " + count(dead.size(), "dead letter", "dead letters") + " of " + actionId + " (" + code + ")?"
                        + beyond(dead.size()),
                "redrive", actionId, code, dead.size()));
    }

    @POST
    @Path("/redrive")
    public Uni<Response> redrive(@RestForm String actionId, @RestForm String code, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        return onEach(store.redrivable(dead(actionId, code)), (StoredSubmission stopped) -> pipeline.redrive(stopped),
                Admission.Accepted.class::isInstance)
                .map(tally -> {
                    audit.write(AuditEvent.RETRIES_REDRIVEN, group(by, actionId, code, tally.done()));
                    String notice = "Redriven: " + retries(tally.done()) + "." + (tally.done() < tally.tried()
                            ? " " + (tally.tried() - tally.done()) + " could not start now (queue full or service "
                                    + "busy); redrive the group again."
                            : "");
                    return toRetries(uri, actionId, notice);
                });
    }

    @GET
    @Path("/cancel")
    public Uni<String> confirmCancel(@RestQuery String actionId, @RestQuery String code) {
        return Pages.fromStore(store.list(unfinished(actionId, code))).chain(unfinished -> confirm(
                "Cancel " + count(unfinished.size(), "unfinished retry", "unfinished retries") + " of " + actionId + " (" + code
                        + ")?"
                        + beyond(unfinished.size()),
                "cancel", actionId, code, unfinished.size()));
    }

    @POST
    @Path("/cancel")
    public Uni<Response> cancel(@RestForm String actionId, @RestForm String code, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        return onEach(store.list(unfinished(actionId, code)), retry -> pipeline.cancel(retry.requestId()),
                Cancellation.Cancelled.class::isInstance).map(tally -> {
                    audit.write(AuditEvent.RETRIES_CANCELLED, group(by, actionId, code, tally.done()));
                    return toRetries(uri, actionId, "Cancelled: " + retries(tally.done()) + ".");
                });
    }

    /** How many retries of a group an operator's act was tried on, and how many it was done to. */
    private record Tally(long tried, long done) {
    }

    /** Acts on a group's retries one after the other, so that a large group never floods the pipeline at once. */
    private static <T, R> Uni<Tally> onEach(Uni<List<T>> members, Function<T, Uni<R>> act, Predicate<R> done) {
        return Pages.fromStore(members).chain(found -> Multi.createFrom().iterable(found).onItem()
                .transformToUniAndConcatenate(act::apply).collect().asList())
                .map(outcomes -> new Tally(outcomes.size(), outcomes.stream().filter(done).count()));
    }

    private static Response toRetries(UriInfo uri, String actionId, String notice) {
        return Pages.redirect(uri, Pages.link(ConsoleGate.ROOT + "/retries",
                Pages.query("actionId", actionId, "notice", notice)));
    }

    private static String retries(long count) {
        return count(count, "retry", "retries");
    }

    private static String count(long count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }

    private Uni<String> confirm(String question, String action, String actionId, String code, long count) {
        return Templates.confirm(user.page("Confirm", ConsolePage.Section.FAILURES, null), new Confirmation(question,
                ConsoleGate.ROOT + "/failures/" + action, actionId, code, count, ConsoleGate.ROOT + "/failures"))
                .createUni();
    }

    private static String beyond(int count) {
        return count == AT_ONCE ? " (At most " + AT_ONCE + " at a time: confirm again for the rest.)" : "";
    }

    private static RetryQuery dead(String actionId, String code) {
        return group(actionId, code).withStatuses(FailureGroup.DEAD);
    }

    private static RetryQuery unfinished(String actionId, String code) {
        return group(actionId, code).withStatuses(FailureGroup.UNFINISHED);
    }

    private static RetryQuery group(String actionId, String code) {
        if (actionId == null || actionId.isBlank() || code == null || code.isBlank()) {
            throw ConsoleRefusal.invalid("A failure group is named by its actionId and its code.");
        }
        return RetryQuery.newest(AT_ONCE).withActionId(Optional.of(actionId)).withErrorCode(Optional.of(code));
    }

    private static Map<String, Object> group(String by, String actionId, String code, long count) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("by", by);
        fields.put("actionId", actionId);
        fields.put("code", code);
        fields.put("count", count);
        return fields;
    }

    private static Group row(FailureGroup group) {
        Map<String, String> key = Pages.query("actionId", group.actionId(), "code", group.code());
        return new Group(group.actionId(), group.code(), group.dead(), group.failing(), Pages.time(group.firstSeen()),
                Pages.time(group.lastSeen()), group.sampleMessage(), Pages.link(ConsoleGate.ROOT + "/retries", key),
                Pages.link(ConsoleGate.ROOT + "/failures/redrive", key),
                Pages.link(ConsoleGate.ROOT + "/failures/cancel", key));
    }
}
