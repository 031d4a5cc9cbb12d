package dev.dataaction.retry.genesys;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One SmallRye Fault Tolerance circuit breaker per action id, so that one broken integration does not stop the others.
 * The map is bounded: beyond {@code orchestrator.circuit-breaker.max-breakers} the least recently used breakers that
 * would let a call through are forgotten. One that refuses calls is kept, or its action would escape the breaker; once
 * its reset delay has passed it accepts a trial call and may be forgotten like a closed one, so that actions nobody
 * retries any more never pin the map above its bound.
 */
@ApplicationScoped
public class ActionBreakers {

    /** A breaker of one action opened or closed. */
    public record StateChanged(String actionId, CircuitBreakerState state) {
    }

    /** One action's breaker, and until when it refuses calls. */
    static final class ActionBreaker {
        final String actionId;
        final Guard guard;
        volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
        /**
         * While OPEN: the instant its trial call is let through. SmallRye moves an open breaker to HALF_OPEN on a timer
         * and leaves HALF_OPEN only on a call, so its state alone cannot say whether it refuses a call now.
         */
        volatile Instant refusesUntil = Instant.EPOCH;

        ActionBreaker(String actionId, OrchestratorConfig.CircuitBreaker config,
                BiConsumer<ActionBreaker, CircuitBreakerState> onStateChange) {
            this.actionId = actionId;
            this.guard = Guard.create()
                    .withCircuitBreaker()
                    // a rolling window of N calls that opens at a failure ratio of 1 opens after N consecutive failures
                    .requestVolumeThreshold(config.failureThreshold())
                    .failureRatio(1.0)
                    .successThreshold(1)
                    .delay(config.resetDelay().toMillis(), ChronoUnit.MILLIS)
                    // only retryable answers count as failures; SmallRye counts every other exception as a success, so
                    // the gateway lets nothing but the exchange with Genesys run inside the guard
                    .when(GenesysGateway.RetryableAnswer.class::isInstance)
                    .onStateChange(state -> onStateChange.accept(this, state))
                    .done()
                    .build();
        }

        /** Whether this breaker refuses every call at {@code now}: it is open and its reset delay has not passed. */
        boolean refusesCallsAt(Instant now) {
            return now.isBefore(refusesUntil);
        }
    }

    private final OrchestratorConfig.CircuitBreaker config;
    private final double jitterFactor;
    private final Event<StateChanged> stateChanges;
    private final Map<String, ActionBreaker> breakers = new LinkedHashMap<>(64, 0.75f, true);

    ActionBreakers(OrchestratorConfig config, Event<StateChanged> stateChanges) {
        this.config = config.circuitBreaker();
        this.jitterFactor = config.retry().jitterFactor();
        this.stateChanges = stateChanges;
    }

    /** The breaker of an action, created closed on first use. */
    ActionBreaker forAction(String actionId) {
        synchronized (breakers) {
            ActionBreaker breaker = breakers.get(actionId);
            if (breaker == null) {
                breaker = new ActionBreaker(actionId, config, this::changed);
                breakers.put(actionId, breaker);
                evictBeyondBound(breaker, Instant.now());
            }
            return breaker;
        }
    }

    /**
     * When a retry of the action is worth trying again, if its breaker refuses calls now: the breaker's half-open instant,
     * spread by the retry jitter. Asks the breaker nothing, so it counts no call.
     */
    Optional<Instant> refusingUntil(String actionId) {
        ActionBreaker breaker;
        synchronized (breakers) {
            breaker = breakers.get(actionId);
        }
        Instant halfOpens = breaker == null ? Instant.EPOCH : breaker.refusesUntil;
        if (!Instant.now().isBefore(halfOpens)) {
            return Optional.empty();
        }
        return Optional.of(spreadAfter(halfOpens, config.resetDelay(), jitterFactor,
                ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * When a retry refused by a breaker whose reset delay ends at {@code halfOpens} comes back: that instant plus a uniform
     * share of {@code jitterFactor × resetDelay}. Only one call can be the trial; the retries held by one breaker would
     * otherwise all ask at the same instant, and all but one be refused again.
     *
     * @param uniform a number from 0 (inclusive) to 1 (exclusive)
     */
    static Instant spreadAfter(Instant halfOpens, Duration resetDelay, double jitterFactor, double uniform) {
        return halfOpens.plusNanos((long) (resetDelay.toNanos() * jitterFactor * uniform));
    }

    /** The state of the action's breaker; {@code CLOSED} for an action it does not know (yet, or any more). */
    public CircuitBreakerState stateOf(String actionId) {
        synchronized (breakers) {
            ActionBreaker breaker = breakers.get(actionId);
            return breaker == null ? CircuitBreakerState.CLOSED : breaker.state;
        }
    }

    /**
     * How many breakers refuse calls now. A breaker whose reset delay has passed accepts its trial call and is not counted,
     * even if no call has come to move it out of SmallRye's HALF_OPEN; a forgotten breaker is not counted either.
     */
    public int openCount() {
        Instant now = Instant.now();
        synchronized (breakers) {
            return (int) breakers.values().stream().filter(breaker -> breaker.refusesCallsAt(now)).count();
        }
    }

    /** How many breakers are kept. */
    int size() {
        synchronized (breakers) {
            return breakers.size();
        }
    }

    private void changed(ActionBreaker breaker, CircuitBreakerState state) {
        CircuitBreakerState before = breaker.state;
        breaker.refusesUntil = state == CircuitBreakerState.OPEN ? Instant.now().plus(config.resetDelay()) : Instant.EPOCH;
        breaker.state = state;
        if (before == CircuitBreakerState.CLOSED && state != CircuitBreakerState.CLOSED) {
            stateChanges.fire(new StateChanged(breaker.actionId, CircuitBreakerState.OPEN));
        } else if (before != CircuitBreakerState.CLOSED && state == CircuitBreakerState.CLOSED) {
            stateChanges.fire(new StateChanged(breaker.actionId, CircuitBreakerState.CLOSED));
        }
    }

    /**
     * Forgets least recently used breakers that would let a call through, beyond the bound, never {@code created}: when
     * every other breaker refuses calls, the map holds one more than the bound rather than handing out a breaker it does
     * not keep.
     */
    private void evictBeyondBound(ActionBreaker created, Instant now) {
        Iterator<ActionBreaker> leastRecentlyUsedFirst = breakers.values().iterator();
        while (breakers.size() > config.maxBreakers() && leastRecentlyUsedFirst.hasNext()) {
            ActionBreaker candidate = leastRecentlyUsedFirst.next();
            if (candidate != created && !candidate.refusesCallsAt(now)) {
                leastRecentlyUsedFirst.remove();
            }
        }
    }
}
