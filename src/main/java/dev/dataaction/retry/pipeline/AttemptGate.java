package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.ControlStore;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.TrafficSettings;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Where every attempt takes its place before it goes on the wire: a slot of the service's concurrency and of its
 * action's, and a token of each one's rate when a rate is set ({@link ScopeLimit}). A due retry that finds none waits
 * here, without using an attempt, until one frees up or its deadline passes. Free slots go to the actions in turn, so
 * that one action's backlog does not starve another's retries; within an action, the earliest due retry goes first. A
 * 429 with Retry-After holds every waiting retry of its action until it has passed (up to {@code max-retry-after}). A
 * paused action's retries do not wait here: {@link #hold} sends them to wait on their own timers.
 * <p>
 * The limits are this replica's share of the configured ones ({@link ControlStore.Share}), as {@link TrafficControls}
 * applies them.
 */
@ApplicationScoped
public class AttemptGate {

    /** How many of the least recently seen actions each new action looks at, to forget the idle ones among them. */
    private static final int FORGET_LOOKS = 16;

    /** The code of the last error of a retry its action's pause holds. */
    static final String PAUSED = "action.paused";

    /** One action's limits and state, as {@code GET /v1/actions} shows them. */
    public record ActionTraffic(String actionId, boolean paused, String pauseReason, TrafficSettings.Limits configured,
            TrafficSettings.Limits effective, int inFlight, int waiting, Instant rateLimitedUntil, LastError lastError) {
    }

    /** The service's limits and state, on this replica. */
    @RegisterForReflection // the body of GET and PUT /v1/limits, serialised by Jackson
    public record ServiceTraffic(TrafficSettings.Limits configured, TrafficSettings.Limits effective, int inFlight,
            int waiting, int replicas) {
    }

    /** Why a due retry may not even wait for a slot, and until when it waits instead. */
    record Hold(Optional<Instant> notBefore, LastError reason) {
    }

    private final OrchestratorConfig config;
    private final ActionRules rules;
    private final Vertx vertx;
    private final ScopeLimit service;
    /** Least recently seen first: a retry of the action seen moves it last, reading its state does not. */
    private final Map<String, ActionLane> lanes = new LinkedHashMap<>(64);
    /** The actions with retries waiting, in the order their turn comes. */
    private final ArrayDeque<ActionLane> turns = new ArrayDeque<>();
    private TrafficSettings settings = TrafficSettings.NONE;
    private ControlStore.Share share = ControlStore.Share.ALONE;
    private long sequence;
    private long wakeTimer = -1;
    private long wakeAt = Long.MAX_VALUE;

    AttemptGate(OrchestratorConfig config, ActionRules rules, Vertx vertx) {
        this.config = config;
        this.rules = rules;
        this.vertx = vertx;
        this.service = new ScopeLimit(config.limits().maxConcurrent(), rate(config.limits().maxPerSecond().orElse(null)),
                System.nanoTime());
        config.actions().keySet().forEach(this::known);
    }

    /**
     * Why a due retry of {@code actionId} may not wait for a slot: its action is paused (it then waits until its
     * {@code deadline}, or until the action is resumed), or this replica's share of the action's concurrency is none
     * (it then waits for another replica to take it).
     */
    synchronized Optional<Hold> hold(String actionId, Instant deadline, Instant now) {
        ActionLane lane = lane(actionId);
        if (lane.paused) {
            return Optional.of(new Hold(Optional.of(deadline), new LastError(null, PAUSED,
                    "the action is paused" + (lane.pauseReason == null ? "" : ": " + lane.pauseReason), null)));
        }
        if (lane.limit.maxConcurrent() == 0) {
            return Optional.of(new Hold(Optional.of(now.plus(config.postgres().claimAhead().multipliedBy(2))),
                    new LastError(null, "action.limit.elsewhere", "this replica's share of the action's max-concurrent "
                            + "is 0 (" + share.replicas() + " replicas share it): another replica takes the retry", null)));
        }
        return Optional.empty();
    }

    /** Whether {@code actionId} is paused now. */
    synchronized boolean paused(String actionId) {
        ActionLane lane = lanes.get(actionId);
        return lane != null && lane.paused;
    }

    /**
     * A slot for an attempt of {@code actionId}, once the limits allow it; empty when the retry's {@code deadline} passed
     * first, or its action was paused meanwhile. A subscriber that cancels gives up its place, or the slot it was given.
     */
    Uni<Optional<Slot>> take(String actionId, Instant due, Instant deadline) {
        return Uni.createFrom().emitter(emitter -> {
            SlotWaiter waiter;
            synchronized (this) {
                ActionLane lane = lane(actionId);
                waiter = new SlotWaiter(lane, due, sequence++, Vertx.currentContext(), emitter);
                lane.waiting.add(waiter);
                if (!lane.inTurn) {
                    lane.inTurn = true;
                    turns.addLast(lane);
                }
            }
            emitter.onTermination(() -> withdraw(waiter));
            pump();
            if (waiter.state.get() == SlotWaiter.WAITING) {
                long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis() + 1);
                waiter.deadlineTimer = vertx.setTimer(millis, fired -> expire(waiter));
            }
        });
    }

    /** Applies the settings changed at run time and this replica's share of the limits. */
    void apply(TrafficSettings settings, ControlStore.Share share) {
        List<SlotWaiter> paused = new ArrayList<>();
        synchronized (this) {
            this.settings = settings;
            this.share = share;
            TrafficSettings.Limits limits = serviceLimits();
            service.configure(share.of(limits.maxConcurrent()), rate(share, limits.maxPerSecond()));
            settings.actions().keySet().forEach(this::known);
            lanes.values().forEach(lane -> configure(lane, paused));
        }
        paused.forEach(waiter -> waiter.finish(Optional.empty()));
        pump();
    }

    synchronized ServiceTraffic serviceTraffic() {
        int waiting = lanes.values().stream().mapToInt(lane -> lane.waiting.size()).sum();
        return new ServiceTraffic(serviceLimits(), effective(service), service.inFlight(), waiting, share.replicas());
    }

    /** The actions seen recently or configured, most recently seen last. */
    synchronized List<ActionTraffic> actions() {
        return lanes.values().stream().map(this::traffic).toList();
    }

    /** One action's state; empty when it was neither seen recently nor configured. */
    synchronized Optional<ActionTraffic> action(String actionId) {
        ActionLane lane = lanes.get(actionId);
        return lane == null ? Optional.empty() : Optional.of(traffic(lane));
    }

    /** Actions paused, and actions held by a Retry-After now: for the metrics. */
    synchronized int count(boolean paused) {
        long now = System.nanoTime();
        return (int) lanes.values().stream()
                .filter(lane -> paused ? lane.paused : lane.rateLimitedUntilNanos - now > 0).count();
    }

    /** The limits configured for the service: as set at run time, else as in the configuration. */
    private TrafficSettings.Limits serviceLimits() {
        TrafficSettings.Limits set = settings.service();
        return new TrafficSettings.Limits(
                set.maxConcurrent() != null ? set.maxConcurrent() : config.limits().maxConcurrent(),
                set.maxPerSecond() != null ? set.maxPerSecond() : config.limits().maxPerSecond().orElse(null));
    }

    private TrafficSettings.Limits configuredLimits(String actionId) {
        TrafficSettings.Limits set = settings.action(actionId).limits();
        Optional<OrchestratorConfig.Action> file = Optional.ofNullable(config.actions().get(actionId));
        return new TrafficSettings.Limits(
                set.maxConcurrent() != null ? set.maxConcurrent()
                        : file.flatMap(OrchestratorConfig.Action::maxConcurrent).orElse(null),
                set.maxPerSecond() != null ? set.maxPerSecond()
                        : file.flatMap(OrchestratorConfig.Action::maxPerSecond).orElse(null));
    }

    private void configure(ActionLane lane, List<SlotWaiter> paused) {
        TrafficSettings.ActionControl control = settings.action(lane.actionId);
        TrafficSettings.Limits limits = configuredLimits(lane.actionId);
        lane.limit.configure(limits.maxConcurrent() == null ? ScopeLimit.UNBOUNDED : share.of(limits.maxConcurrent()),
                rate(share, limits.maxPerSecond()));
        lane.paused = control.paused();
        lane.pauseReason = control.pauseReason();
        if (lane.paused) {
            paused.addAll(lane.waiting);
            lane.waiting.clear();
        }
    }

    private ActionTraffic traffic(ActionLane lane) {
        long untilNanos = lane.rateLimitedUntilNanos - System.nanoTime();
        return new ActionTraffic(lane.actionId, lane.paused, lane.pauseReason, configuredLimits(lane.actionId),
                effective(lane.limit), lane.limit.inFlight(), lane.waiting.size(),
                untilNanos > 0 ? lane.rateLimitedUntil : null, lane.lastError);
    }

    private static TrafficSettings.Limits effective(ScopeLimit limit) {
        int concurrency = limit.effectiveConcurrency();
        double rate = limit.effectiveRate();
        return new TrafficSettings.Limits(concurrency >= ScopeLimit.UNBOUNDED / 1024 ? null : concurrency,
                rate == Double.POSITIVE_INFINITY ? null : rate);
    }

    /** The lane of an action a retry of which is seen now: it moves last in the order of {@code GET /v1/actions}. */
    private ActionLane lane(String actionId) {
        ActionLane lane = lanes.remove(actionId);
        if (lane == null) {
            return known(actionId);
        }
        lanes.put(actionId, lane);
        return lane;
    }

    /** The lane of an action, made when it has none yet, without counting as seeing it. */
    private ActionLane known(String actionId) {
        ActionLane lane = lanes.get(actionId);
        if (lane == null) {
            lane = new ActionLane(actionId, new ScopeLimit(ScopeLimit.UNBOUNDED, Double.POSITIVE_INFINITY, System.nanoTime()));
            lanes.put(actionId, lane);
            configure(lane, new ArrayList<>());
            forgetBeyondBound(lane);
        }
        return lane;
    }

    /**
     * Beyond the bound, forgets the least recently seen actions that are idle and that nobody configured. It looks at a
     * few of them only: when thousands of actions each have a retry waiting for a slot, none of them can be forgotten,
     * and looking through them all for every new action made a burst of new actions cost quadratic time. A lane left
     * over now is forgotten when a later action is seen.
     */
    private void forgetBeyondBound(ActionLane kept) {
        Iterator<ActionLane> leastRecentFirst = lanes.values().iterator();
        for (int looked = 0; looked < FORGET_LOOKS && lanes.size() > config.limits().trackedActions()
                && leastRecentFirst.hasNext(); looked++) {
            ActionLane lane = leastRecentFirst.next();
            if (lane != kept && lane.waiting.isEmpty() && lane.limit.inFlight() == 0
                    && !config.actions().containsKey(lane.actionId) && !settings.actions().containsKey(lane.actionId)) {
                leastRecentFirst.remove();
            }
        }
    }

    /** Gives free slots to waiting retries, the actions in turn; sets a timer for when a rate or a hold lets more go. */
    private void pump() {
        List<SlotWaiter> granted = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            long nextChance = Long.MAX_VALUE;
            boolean progressed = true;
            while (progressed && !turns.isEmpty()) {
                progressed = false;
                if (!service.canStart(now)) {
                    if (!service.full()) {
                        nextChance = Math.min(nextChance, now + service.nanosUntilToken(now));
                    }
                    break;
                }
                for (int turn = turns.size(); turn > 0 && !progressed; turn--) {
                    ActionLane lane = turns.pollFirst();
                    if (lane.waiting.isEmpty()) {
                        lane.inTurn = false;
                        continue;
                    }
                    turns.addLast(lane);
                    if (lane.rateLimitedUntilNanos - now > 0) {
                        nextChance = Math.min(nextChance, lane.rateLimitedUntilNanos);
                    } else if (!lane.limit.canStart(now)) {
                        if (!lane.limit.full()) {
                            nextChance = Math.min(nextChance, now + lane.limit.nanosUntilToken(now));
                        }
                    } else {
                        SlotWaiter waiter = lane.waiting.poll();
                        service.start(now);
                        lane.limit.start(now);
                        waiter.slot = new Slot(lane, now);
                        waiter.state.set(SlotWaiter.GRANTED);
                        granted.add(waiter);
                        progressed = true;
                    }
                }
            }
            wakeAt(nextChance, now);
        }
        granted.forEach(SlotWaiter::deliver);
    }

    /** Sets the one timer that pumps again when a token or the end of a hold is due (a freed slot pumps itself). */
    private void wakeAt(long at, long now) {
        if (at == Long.MAX_VALUE || (wakeTimer >= 0 && wakeAt - at <= 0)) {
            return;
        }
        if (wakeTimer >= 0) {
            vertx.cancelTimer(wakeTimer);
        }
        wakeAt = at;
        wakeTimer = vertx.setTimer(Math.max(1, (at - now + 999_999) / 1_000_000), fired -> {
            synchronized (this) {
                wakeTimer = -1;
            }
            pump();
        });
    }

    private void withdraw(SlotWaiter waiter) {
        vertx.cancelTimer(waiter.deadlineTimer);
        synchronized (this) {
            if (waiter.state.compareAndSet(SlotWaiter.WAITING, SlotWaiter.DONE)) {
                waiter.lane.waiting.remove(waiter);
                return;
            }
        }
        if (waiter.state.compareAndSet(SlotWaiter.GRANTED, SlotWaiter.DONE)) {
            waiter.slot.release(null);
        }
    }

    private void expire(SlotWaiter waiter) {
        synchronized (this) {
            if (!waiter.lane.waiting.remove(waiter)) {
                return;
            }
        }
        waiter.finish(Optional.empty());
    }

    private static double rate(Double perSecond) {
        return perSecond == null ? Double.POSITIVE_INFINITY : perSecond;
    }

    private static double rate(ControlStore.Share share, Double perSecond) {
        return perSecond == null ? Double.POSITIVE_INFINITY : share.of(perSecond.doubleValue());
    }

    /** An attempt's place on the wire: released once, with what came of it, when its answer is in. */
    final class Slot {

        private final ActionLane lane;
        private final long startedAt;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(ActionLane lane, long startedAt) {
            this.lane = lane;
            this.startedAt = startedAt;
        }

        /**
         * Frees the slot; a 429 lowers the limits and holds the action for its Retry-After, a success raises them.
         *
         * @param outcome null when nothing was sent
         */
        void release(Execution outcome) {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            synchronized (AttemptGate.this) {
                long now = System.nanoTime();
                if (outcome instanceof Execution.Succeeded) {
                    service.succeeded();
                    lane.limit.succeeded();
                } else if (outcome instanceof Execution.Refused refused) {
                    lane.lastError = refused.error();
                    if (Integer.valueOf(429).equals(refused.httpStatus())) {
                        service.rateLimited(startedAt, now);
                        lane.limit.rateLimited(startedAt, now);
                        // no longer than a retry would wait itself: max-retry-after
                        Duration longest = rules.of(lane.actionId).maxRetryAfter();
                        refused.retryAfter().ifPresent(wait -> holdLane(lane,
                                wait.compareTo(longest) > 0 ? longest : wait, now));
                    }
                }
                service.end();
                lane.limit.end();
            }
            pump();
        }
    }

    private static void holdLane(ActionLane lane, Duration wait, long now) {
        long until = now + wait.toNanos();
        if (until - lane.rateLimitedUntilNanos > 0) {
            lane.rateLimitedUntilNanos = until;
            lane.rateLimitedUntil = Instant.now().plus(wait);
        }
    }
}
