package dev.dataaction.retry.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.GenesysGateway;
import dev.dataaction.retry.store.ControlStore;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.TrafficSettings;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * The runtime controls of what reaches Genesys: limits and pauses set through the API, kept by the {@link ControlStore}
 * and applied to the {@link AttemptGate}. With a store shared by replicas, every replica reads the settings and counts
 * the replicas alive (their heartbeats) once per poll interval, and takes its share of each limit: a change made on any
 * replica, and a replica joining or leaving, hold everywhere within one poll interval.
 */
@ApplicationScoped
public class TrafficControls {

    private static final Logger LOG = Logger.getLogger(TrafficControls.class);

    /** An action's traffic, with its breaker's state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}). */
    public record ActionView(AttemptGate.ActionTraffic traffic, String breaker) {
    }

    private final ControlStore store;
    private final AttemptGate gate;
    private final RetryDriver driver;
    private final GenesysGateway gateway;
    private final Event<TrafficChange> changes;
    private final boolean shared;
    private final long pollMillis;
    private final Vertx vertx;
    private volatile Set<String> paused = Set.of();
    /** Reads of the settings started, and the latest whose answer was applied: an older answer is never applied. */
    private long readsStarted;
    private long newestApplied;

    TrafficControls(ControlStore store, AttemptGate gate, RetryDriver driver, GenesysGateway gateway,
            Event<TrafficChange> changes, RetryStore retries, OrchestratorConfig config, Vertx vertx) {
        this.store = store;
        this.gate = gate;
        this.driver = driver;
        this.gateway = gateway;
        this.changes = changes;
        this.shared = retries.sharing().isPresent();
        this.pollMillis = config.postgres().pollInterval().toMillis();
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent started) {
        refresh().subscribe().with(ignored -> readAgain(), failure -> readAgain());
    }

    private void readAgain() {
        if (shared) {
            vertx.setTimer(pollMillis, fired -> refresh().subscribe().with(ignored -> readAgain(), failure -> {
                LOG.debugf("Traffic settings not read: the store did not answer (%s)", failure.getMessage());
                readAgain();
            }));
        }
    }

    /**
     * Reads the settings and the replicas' count and applies them; wakes the retries of actions resumed meanwhile, here
     * and, with a shared store, in the database.
     */
    private Uni<Void> refresh() {
        return Uni.createFrom().deferred(() -> {
            long read = startRead();
            return store.settings().chain(settings -> store.share().map(share -> apply(read, settings, share)));
        }).chain(store::releaseUnpaused);
    }

    private synchronized long startRead() {
        return ++readsStarted;
    }

    /**
     * Applies the settings unless a read started later was applied already: the timer's read, answered after a change's
     * own read, would otherwise put back what the change replaced. Returns the actions paused now.
     */
    private synchronized Set<String> apply(long read, TrafficSettings settings, ControlStore.Share share) {
        if (read < newestApplied) {
            return paused;
        }
        newestApplied = read;
        gate.apply(settings, share);
        Set<String> nowPaused = settings.actions().entrySet().stream().filter(action -> action.getValue().paused())
                .map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet());
        paused.stream().filter(actionId -> !nowPaused.contains(actionId)).forEach(driver::wakePaused);
        paused = nowPaused;
        return nowPaused;
    }

    /** The service's limits and state on this replica. */
    public AttemptGate.ServiceTraffic serviceTraffic() {
        return gate.serviceTraffic();
    }

    /** Actions paused now. */
    public int pausedActions() {
        return gate.count(true);
    }

    /** Actions whose retries a Retry-After holds now. */
    public int rateLimitedActions() {
        return gate.count(false);
    }

    /** The actions seen recently or configured. */
    public List<ActionView> actions() {
        return gate.actions().stream().map(this::view).toList();
    }

    /** One action; empty when it was neither seen recently, nor configured, nor changed. */
    public Optional<ActionView> action(String actionId) {
        return gate.action(actionId).map(this::view);
    }

    /** Sets the service's limits; {@code by} is the label of the caller's API key. */
    public Uni<AttemptGate.ServiceTraffic> setServiceLimits(TrafficSettings.Limits limits, String by) {
        return change(() -> store.setServiceLimits(limits),
                new TrafficChange(TrafficChange.Kind.LIMITS_CHANGED, null, by, null, limits)).map(
                        ignored -> gate
                                .serviceTraffic());
    }

    public Uni<ActionView> setActionLimits(String actionId, TrafficSettings.Limits limits, String by) {
        return changeAction(actionId, () -> store.setActionLimits(actionId, limits),
                new TrafficChange(TrafficChange.Kind.LIMITS_CHANGED, actionId, by, null, limits));
    }

    public Uni<ActionView> pause(String actionId, String reason, String by) {
        return changeAction(actionId, () -> store.pause(actionId, reason),
                new TrafficChange(TrafficChange.Kind.PAUSED, actionId, by, reason, null));
    }

    public Uni<ActionView> resume(String actionId, String by) {
        return changeAction(actionId, () -> store.resume(actionId),
                new TrafficChange(TrafficChange.Kind.RESUMED, actionId, by, null, null));
    }

    private Uni<ActionView> changeAction(String actionId, Supplier<Uni<Void>> write, TrafficChange change) {
        return change(write, change).map(ignored -> action(actionId).orElseThrow());
    }

    /** Writes the change, applies the settings at once on this replica, and audits it. */
    private Uni<Void> change(Supplier<Uni<Void>> write, TrafficChange change) {
        return write.get().chain(this::refresh).invoke(() -> changes.fire(change));
    }

    private ActionView view(AttemptGate.ActionTraffic traffic) {
        return new ActionView(traffic, gateway.breakerState(traffic.actionId()));
    }
}
