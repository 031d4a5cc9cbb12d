package dev.dataaction.retry.store;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/** Forgets finished retries once they are older than {@code orchestrator.retention}, whichever store keeps them. */
@ApplicationScoped
class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final RetryStore store;
    private final OrchestratorConfig config;

    Retention(RetryStore store, OrchestratorConfig config) {
        this.store = store;
        this.config = config;
    }

    @Scheduled(every = "${orchestrator.purge-interval:1m}", delayed = "${orchestrator.purge-interval:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return store.purge(Instant.now().minus(config.retention())).invoke(count -> {
            if (count > 0) {
                LOG.infof("Purged %d finished retries older than %s", count, config.retention());
            }
        }).onFailure().invoke(failure -> LOG.warnf("Purge of finished retries failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
