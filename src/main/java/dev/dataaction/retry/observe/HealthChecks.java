package dev.dataaction.retry.observe;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import dev.dataaction.retry.genesys.ActionBreakers;
import dev.dataaction.retry.pipeline.Capacity;
import dev.dataaction.retry.store.RetryStore;

/** Kubernetes probes. Neither calls Genesys, the login service or the service's own endpoints. */
public final class HealthChecks {

    private HealthChecks() {
    }

    /** The process is up and answering; restarting it would not help anything else. */
    @Liveness
    @ApplicationScoped
    static class Alive implements HealthCheck {

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.up("alive");
        }
    }

    /**
     * Ready to take retries: DOWN while the queue is full, while shutting down, when the last token request failed (read
     * from the token monitor, so a probe never asks the login service for a token), or when the store did not answer the
     * last time it was asked (a shared store is asked every poll interval, so a probe never queries the database).
     */
    @Readiness
    @ApplicationScoped
    static class ReadyForRetries implements HealthCheck {

        private final Capacity queue;
        private final ActionBreakers breakers;
        private final TokenMonitor tokens;
        private final RetryStore store;

        ReadyForRetries(Capacity queue, ActionBreakers breakers, TokenMonitor tokens, RetryStore store) {
            this.queue = queue;
            this.breakers = breakers;
            this.tokens = tokens;
            this.store = store;
        }

        @Override
        public HealthCheckResponse call() {
            int inUse = queue.inUse();
            boolean queueFull = inUse >= queue.capacity();
            boolean shuttingDown = queue.closed();
            boolean tokenFailing = tokens.lastRequestFailed();
            boolean storeReachable = store.reachable();
            // a replica of a shared store with every permit in use still accepts retries into the shared backlog
            boolean full = queueFull && store.sharing().isEmpty();
            return HealthCheckResponse.named("retries")
                    .status(!full && !shuttingDown && !tokenFailing && storeReachable)
                    .withData("inUse", inUse)
                    .withData("capacity", queue.capacity())
                    .withData("openCircuits", breakers.openCount())
                    .withData("shuttingDown", shuttingDown)
                    .withData("tokenAvailable", !tokenFailing)
                    .withData("storeReachable", storeReachable)
                    .build();
        }
    }
}
