package dev.dataaction.retry.store;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Brings the PostgreSQL schema up to date with Flyway. A replica that starts while the database is down does not exit
 * (on Kubernetes that is a crash loop whose back-off keeps it away long after the database is back): it starts, reports
 * readiness DOWN, refuses submissions with 503, and tries the migration again every {@link #RETRY_EVERY} until the
 * database answers.
 */
@Singleton
public class SchemaMigration {

    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(2);
    /** While it keeps failing, one line in this many tries is logged. */
    private static final int LOG_EVERY = 15;

    private final OrchestratorConfig config;
    private final Instance<Flyway> flyway;
    private volatile boolean done;
    private ScheduledExecutorService retrying;
    private int failures;

    SchemaMigration(OrchestratorConfig config, Instance<Flyway> flyway) {
        this.config = config;
        this.flyway = flyway;
    }

    /** Whether the schema is ready for the store's statements; always true for the memory store. */
    public boolean done() {
        return done;
    }

    void onStart(@Observes StartupEvent started) {
        if (config.store() != OrchestratorConfig.StoreKind.POSTGRES) {
            done = true;
            return;
        }
        if (!migrate()) {
            retrying = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("schema-migration")
                    .factory());
            retrying.scheduleWithFixedDelay(() -> {
                if (migrate()) {
                    retrying.shutdown();
                }
            }, RETRY_EVERY.toMillis(), RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent stopping) {
        if (retrying != null) {
            retrying.shutdownNow();
        }
    }

    private synchronized boolean migrate() {
        if (done) {
            return true;
        }
        try {
            flyway.get().migrate();
            done = true;
            if (failures > 0) {
                LOG.infof("Database schema migrated after %d failed tries; this replica takes retries now", failures);
            }
            return true;
        } catch (RuntimeException failed) {
            if (failures++ % LOG_EVERY == 0) {
                LOG.warnf("Database schema not migrated yet: %s. Readiness stays DOWN and submissions get 503; trying "
                        + "again every %d s", rootMessage(failed), RETRY_EVERY.toSeconds());
            }
            return false;
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
