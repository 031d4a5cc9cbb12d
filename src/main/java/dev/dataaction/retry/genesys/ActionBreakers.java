package dev.dataaction.retry.genesys;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;

/**
 * One SmallRye Fault Tolerance circuit breaker per action id, so that one broken integration does not stop the others.
 * The map is bounded: beyond {@code orchestrator.circuit-breaker.max-breakers} the least recently used closed breaker is
 * forgotten (an open one is kept, or its action would escape the breaker).
 */
@ApplicationScoped
public class ActionBreakers {

    /** A breaker of one action opened or closed. */
    public record StateChanged(String actionId, CircuitBreakerState state) {
    }

    /** One action's breaker and when it last opened. */
    static final class ActionBreaker {
        final String actionId;
        final Guard guard;
        volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
        volatile Instant openedAt = Instant.EPOCH;

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
                    // only retryable answers count; a 400 or 404 shows Genesys is working
                    .when(GenesysGateway.RetryableAnswer.class::isInstance)
                    .onStateChange(state -> onStateChange.accept(this, state))
                    .done()
                    .build();
        }
    }

    private final OrchestratorConfig.CircuitBreaker config;
    private final Event<StateChanged> stateChanges;
    private final Map<String, ActionBreaker> breakers = new LinkedHashMap<>(64, 0.75f, true);
    private final AtomicInteger open = new AtomicInteger();

    ActionBreakers(OrchestratorConfig config, Event<StateChanged> stateChanges) {
        this.config = config.circuitBreaker();
        this.stateChanges = stateChanges;
    }

    /** The breaker of an action, created closed on first use. */
    ActionBreaker forAction(String actionId) {
        synchronized (breakers) {
            ActionBreaker breaker = breakers.get(actionId);
            if (breaker == null) {
                breaker = new ActionBreaker(actionId, config, this::changed);
                breakers.put(actionId, breaker);
                evictBeyondBound(breaker);
            }
            return breaker;
        }
    }

    /** When an open breaker lets its next trial call through. */
    Instant halfOpensAt(ActionBreaker breaker) {
        return breaker.openedAt.plus(config.resetDelay());
    }

    /** How many breakers are open (or half-open) now. */
    public int openCount() {
        return open.get();
    }

    private void changed(ActionBreaker breaker, CircuitBreakerState state) {
        CircuitBreakerState before = breaker.state;
        if (state == CircuitBreakerState.OPEN) {
            breaker.openedAt = Instant.now();
        }
        breaker.state = state;
        if (before == CircuitBreakerState.CLOSED && state != CircuitBreakerState.CLOSED) {
            open.incrementAndGet();
            stateChanges.fire(new StateChanged(breaker.actionId, CircuitBreakerState.OPEN));
        } else if (before != CircuitBreakerState.CLOSED && state == CircuitBreakerState.CLOSED) {
            open.decrementAndGet();
            stateChanges.fire(new StateChanged(breaker.actionId, CircuitBreakerState.CLOSED));
        }
    }

    /**
     * Forgets least recently used closed breakers beyond the bound, never {@code created}: when every other breaker is
     * open, the map holds one more than the bound rather than handing out a breaker it does not keep.
     */
    private void evictBeyondBound(ActionBreaker created) {
        Iterator<ActionBreaker> leastRecentlyUsedFirst = breakers.values().iterator();
        while (breakers.size() > config.maxBreakers() && leastRecentlyUsedFirst.hasNext()) {
            ActionBreaker candidate = leastRecentlyUsedFirst.next();
            if (candidate != created && candidate.state == CircuitBreakerState.CLOSED) {
                leastRecentlyUsedFirst.remove();
            }
        }
    }
}
