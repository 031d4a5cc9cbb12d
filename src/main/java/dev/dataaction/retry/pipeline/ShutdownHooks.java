package dev.dataaction.retry.pipeline;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * On SIGTERM: refuse new retries at once (readiness goes DOWN with it), then, when the application stops, let attempts
 * on the wire finish and report every retry left unfinished.
 */
@Singleton
class ShutdownHooks {

    private final RetryPipeline pipeline;
    private final Duration timeout;

    ShutdownHooks(RetryPipeline pipeline, @ConfigProperty(name = "quarkus.shutdown.timeout") Duration timeout) {
        this.pipeline = pipeline;
        this.timeout = timeout;
    }

    void onSigterm(@Observes ShutdownDelayInitiatedEvent signalled) {
        pipeline.stopAccepting();
    }

    void onStop(@Observes @Priority(1) ShutdownEvent stopping) {
        pipeline.drain(timeout);
    }
}
