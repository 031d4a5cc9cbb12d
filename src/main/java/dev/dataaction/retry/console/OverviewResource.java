package dev.dataaction.retry.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.observe.TokenMonitor;
import dev.dataaction.retry.pipeline.TrafficControls;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.store.RetryStore;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/** The overview: how many retries stand where, how attempts went over the last hour, what is broken right now. */
@Path(ConsoleGate.ROOT)
@Produces(MediaType.TEXT_HTML)
@NonBlocking
public class OverviewResource {

    private static final Duration CHART_SPAN = Duration.ofMinutes(AttemptsChart.MINUTES);

    /** What the overview shows; the page reloads it in place every few seconds. */
    public record Overview(List<StatusCount> statuses, long backlog, int capacity, AttemptsChart chart,
            List<Breaker> breakers, boolean tokenAvailable, String store, boolean storeReachable, String traffic) {
    }

    public record StatusCount(String status, long count) {
    }

    public record Breaker(String actionId, String state) {
    }

    private final RetryStore store;
    private final TrafficControls traffic;
    private final TokenMonitor token;
    private final ConsoleUser user;
    private final int capacity;

    OverviewResource(RetryStore store, TrafficControls traffic, TokenMonitor token, ConsoleUser user,
            OrchestratorConfig config) {
        this.store = store;
        this.traffic = traffic;
        this.token = token;
        this.user = user;
        // what the service accepts at most: this instance's queue, or, in a store shared by replicas, the store's backlog
        this.capacity = store.sharing().isPresent() ? config.queue().maxBacklog() : config.queue().maxDepth();
    }

    @GET
    public Uni<String> page() {
        return overview().chain(overview -> Templates
                .overview(user.page("Overview", ConsolePage.Section.OVERVIEW, null), overview).createUni());
    }

    /** The part of the page that htmx reloads. */
    @GET
    @Path("/overview")
    public Uni<String> panel() {
        return overview().chain(overview -> Templates.overviewPanel(overview).createUni());
    }

    private Uni<Overview> overview() {
        Instant now = Instant.now();
        return Uni.combine().all()
                .unis(Pages.fromStore(store.countByStatus()), Pages.fromStore(store.attemptsPerMinute(now.minus(CHART_SPAN))))
                .with((counts, attempts) -> overview(counts, AttemptsChart.of(attempts, now)));
    }

    private Overview overview(Map<RetryStatus, Long> counts, AttemptsChart chart) {
        List<StatusCount> statuses = Arrays.stream(RetryStatus.values())
                .map(status -> new StatusCount(status.name(), counts.getOrDefault(status, 0L))).toList();
        long backlog = counts.getOrDefault(RetryStatus.PENDING, 0L) + counts.getOrDefault(RetryStatus.IN_FLIGHT, 0L);
        List<Breaker> breakers = traffic.actions().stream().filter(action -> !"CLOSED".equals(action.breaker()))
                .map(action -> new Breaker(action.traffic().actionId(), action.breaker())).toList();
        var service = traffic.serviceTraffic();
        String storeKind = store.sharing().isPresent()
                ? "PostgreSQL, shared by " + service.replicas() + (service.replicas() == 1 ? " replica" : " replicas")
                : "memory (this instance only)";
        String limits = service.inFlight() + " attempts on the wire, " + service.waiting() + " waiting for a slot; "
                + Pages.limits(service.effective());
        return new Overview(statuses, backlog, capacity, chart, breakers, !token.lastRequestFailed(), storeKind,
                store.reachable(), limits);
    }
}
