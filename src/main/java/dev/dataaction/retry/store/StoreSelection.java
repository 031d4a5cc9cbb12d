package dev.dataaction.retry.store;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.runtime.StartupEvent;

/** Picks the store named by {@code orchestrator.store}, and says at start-up what that choice means. */
@Singleton
class StoreSelection {

    private static final Logger LOG = Logger.getLogger(StoreSelection.class);

    private final OrchestratorConfig config;

    StoreSelection(OrchestratorConfig config) {
        this.config = config;
    }

    @Produces
    @ApplicationScoped
    RetryStore store(Instance<InMemoryRetryStore> memory, Instance<PostgresRetryStore> postgres) {
        return switch (config.store()) {
            case MEMORY -> memory.get();
            case POSTGRES -> postgres.get();
        };
    }

    @Produces
    @ApplicationScoped
    ControlStore controls(Instance<InMemoryControlStore> memory, Instance<PostgresControlStore> postgres) {
        return switch (config.store()) {
            case MEMORY -> memory.get();
            case POSTGRES -> postgres.get();
        };
    }

    void onStart(@Observes StartupEvent started, Config settings, ReplicaId replica) {
        switch (config.store()) {
            case MEMORY -> LOG.warn("orchestrator.store=memory: accepted retries live in this process only. A restart "
                    + "loses every unfinished retry, and replicas do not share work. Use orchestrator.store=postgres "
                    + "wherever a 202 must mean that the retry will happen.");
            case POSTGRES -> {
                if (settings.getOptionalValue("quarkus.datasource.reactive.url", String.class).isEmpty()) {
                    throw new IllegalStateException("orchestrator.store=postgres needs the database's URL: set "
                            + "ORCHESTRATOR_DB_URL (postgresql://host:5432/database) and the credentials in "
                            + "QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD.");
                }
                Duration poll = config.postgres().pollInterval();
                if (config.postgres().replicaTimeout().compareTo(poll.multipliedBy(3)) < 0) {
                    throw new IllegalStateException("orchestrator.postgres.replica-timeout ("
                            + config.postgres().replicaTimeout() + ") must be at least three times "
                            + "orchestrator.postgres.poll-interval (" + poll + "): a replica writes its heartbeat once "
                            + "per poll interval, and one late heartbeat must not hand its retries to another replica.");
                }
                LOG.infof("orchestrator.store=postgres: this replica takes leases as %s", replica.value());
            }
        }
    }
}
