package dev.dataaction.retry.console;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dataaction.retry.ingest.ControlBodies;
import dev.dataaction.retry.ingest.ProblemException;
import dev.dataaction.retry.pipeline.AttemptGate;
import dev.dataaction.retry.pipeline.TrafficControls;
import dev.dataaction.retry.store.TrafficSettings;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/**
 * Each action's state, breaker and limits, with the controls of the API: pause with a reason, resume, set limits; and
 * the service's limits. Every change names the signed-in key's label in the audit trail, as the API does.
 */
@Path(ConsoleGate.ROOT)
@Produces(MediaType.TEXT_HTML)
@NonBlocking
public class ActionsResource {

    /** One action's row; the limits are as an operator set them, blank where the configuration applies. */
    public record Row(String actionId, boolean paused, String state, String breaker, int inFlight, int waiting,
            String limits, String maxConcurrent, String maxPerSecond, String lastError) {
    }

    /** The service's limits and its state on this replica. */
    public record Service(String limits, String effective, int inFlight, int waiting, int replicas, String maxConcurrent,
            String maxPerSecond) {
    }

    private final TrafficControls controls;
    private final ConsoleUser user;

    ActionsResource(TrafficControls controls, ConsoleUser user) {
        this.controls = controls;
        this.user = user;
    }

    @GET
    @Path("/actions")
    public Uni<String> page(@RestQuery String notice) {
        List<Row> rows = controls.actions().stream()
                .sorted(Comparator.comparing(action -> action.traffic().actionId()))
                .map(ActionsResource::row).toList();
        return Templates.actions(user.page("Actions", ConsolePage.Section.ACTIONS, notice), rows,
                service(controls.serviceTraffic())).createUni();
    }

    @POST
    @Path("/actions/{actionId}/pause")
    public Uni<Response> pause(@RestPath String actionId, @RestForm String reason, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        String id = valid(() -> ControlBodies.actionId(actionId));
        String why = reason == null || reason.isBlank() ? null : reason.strip();
        if (why != null && why.length() > ControlBodies.MAX_REASON) {
            throw ConsoleRefusal.invalid("reason: at most " + ControlBodies.MAX_REASON + " characters.");
        }
        return done(controls.pause(id, why, by), uri, "Paused " + id + ".");
    }

    @POST
    @Path("/actions/{actionId}/resume")
    public Uni<Response> resume(@RestPath String actionId, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        String id = valid(() -> ControlBodies.actionId(actionId));
        return done(controls.resume(id, by), uri, "Resumed " + id + ".");
    }

    @POST
    @Path("/actions/{actionId}/limits")
    public Uni<Response> actionLimits(@RestPath String actionId, @RestForm String maxConcurrent,
            @RestForm String maxPerSecond, @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        String id = valid(() -> ControlBodies.actionId(actionId));
        TrafficSettings.Limits limits = limits(maxConcurrent, maxPerSecond);
        return done(controls.setActionLimits(id, limits, by), uri, "Limits of " + id + " set: " + Pages.limits(limits)
                + ".");
    }

    @POST
    @Path("/limits")
    public Uni<Response> serviceLimits(@RestForm String maxConcurrent, @RestForm String maxPerSecond,
            @RestForm String csrf, UriInfo uri) {
        String by = user.act(csrf);
        TrafficSettings.Limits limits = limits(maxConcurrent, maxPerSecond);
        return done(controls.setServiceLimits(limits, by), uri, "Service limits set: " + Pages.limits(limits) + ".");
    }

    private static Uni<Response> done(Uni<?> change, UriInfo uri, String notice) {
        return Pages.fromStore(change).map(changed -> Pages.redirect(uri,
                Pages.link(ConsoleGate.ROOT + "/actions", Pages.query("notice", notice))));
    }

    /** The form's fields, read by the API's rules: blank returns to the configured value. */
    private static TrafficSettings.Limits limits(String maxConcurrent, String maxPerSecond) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("maxConcurrent", number(maxConcurrent));
        body.set("maxPerSecond", number(maxPerSecond));
        return valid(() -> ControlBodies.limits(body));
    }

    private static JsonNode number(String field) {
        if (field == null || field.isBlank()) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            return JsonNodeFactory.instance.numberNode(new BigDecimal(field.strip()));
        } catch (NumberFormatException notANumber) {
            return JsonNodeFactory.instance.textNode(field);
        }
    }

    private static <T> T valid(Supplier<T> read) {
        try {
            return read.get();
        } catch (ProblemException invalid) {
            List<String> errors = invalid.problem().errors() == null ? List.of()
                    : invalid.problem().errors().stream().map(error -> error.field() + " " + error.message()).toList();
            throw ConsoleRefusal.invalid(invalid.problem().detail()
                    + (errors.isEmpty() ? "" : " " + errors.stream().collect(Collectors.joining("; ")) + "."));
        }
    }

    private static Row row(TrafficControls.ActionView view) {
        AttemptGate.ActionTraffic traffic = view.traffic();
        String state = traffic.paused()
                ? "paused" + (traffic.pauseReason() == null ? "" : ": " + traffic.pauseReason())
                : traffic.rateLimitedUntil() != null && traffic.rateLimitedUntil().isAfter(Instant.now())
                        ? "rate limited until " + Pages.time(traffic.rateLimitedUntil())
                        : "running";
        return new Row(traffic.actionId(), traffic.paused(), state, view.breaker(), traffic.inFlight(), traffic.waiting(),
                Pages.limits(traffic.effective()), integer(traffic.configured().maxConcurrent()),
                Pages.number(traffic.configured().maxPerSecond()),
                traffic.lastError() == null ? "" : traffic.lastError().code());
    }

    private static Service service(AttemptGate.ServiceTraffic traffic) {
        return new Service(Pages.limits(traffic.configured()), Pages.limits(traffic.effective()), traffic.inFlight(),
                traffic.waiting(), traffic.replicas(), integer(traffic.configured().maxConcurrent()),
                Pages.number(traffic.configured().maxPerSecond()));
    }

    private static String integer(Integer value) {
        return value == null ? "" : value.toString();
    }
}
