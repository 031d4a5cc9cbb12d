package dev.dataaction.retry.pipeline;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.store.RetryState;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.WorkSharing;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * With a store that shares work, each replica looks every {@code orchestrator.postgres.poll-interval} for retries that
 * are due within {@code claim-ahead} and that no replica holds: new ones accepted while every replica was busy, ones
 * handed back, and ones whose replica died. It claims as many as it has free permits, and waits for each on its own timer.
 */
@ApplicationScoped
class Claims {

    private static final Logger LOG = Logger.getLogger(Claims.class);

    private final RetryStore store;
    private final QueueGuard queue;
    private final RetryPipeline pipeline;
    private final OrchestratorConfig config;
    private final Vertx vertx;

    Claims(RetryStore store, QueueGuard queue, RetryPipeline pipeline, OrchestratorConfig config, Vertx vertx) {
        this.store = store;
        this.queue = queue;
        this.pipeline = pipeline;
        this.config = config;
        this.vertx = vertx;
    }

    /** Starts looking once the application has started; a Vert.x timer, so that the interval may be under a second. */
    void onStart(@Observes StartupEvent started) {
        if (store.sharing().isPresent()) {
            // the first look at once, so that this replica's heartbeat is on record from its start
            claimDue().subscribe().with(claimed -> lookAgain(), failure -> lookAgain());
        }
    }

    private void lookAgain() {
        if (!pipeline.isDraining()) {
            vertx.setTimer(config.postgres().pollInterval().toMillis(),
                    fired -> claimDue().subscribe().with(claimed -> lookAgain(), failure -> lookAgain()));
        }
    }

    /**
     * One look: claims as many due retries as this instance has free permits. The permits are taken for the retries
     * claimed, once the store has answered: taken for the whole query, they would leave none to a retry submitted here
     * meanwhile, which this instance would then store for whichever replica claims it next instead of driving it. A
     * retry claimed after submissions took the last permits is handed back (one whose attempt was interrupted stays
     * IN_FLIGHT, and is taken up again when the lease just taken on it runs out).
     */
    Uni<Integer> claimDue() {
        // a look that can take nothing still renews this replica's heartbeat
        int free = pipeline.isDraining() ? 0 : Math.min(queue.free(), config.postgres().claimBatch());
        WorkSharing sharing = store.sharing().orElseThrow();
        return sharing.claim(free, config.postgres().claimAhead(), pipeline.heldHere()).chain(claimed -> {
            int permits = queue.tryAdmitUpTo(claimed.size());
            pipeline.takeUp(claimed.subList(0, permits));
            List<UUID> over = claimed.subList(permits, claimed.size()).stream().map(RetryState::requestId).toList();
            return sharing.release(over).replaceWith(permits);
        }).onFailure().recoverWithItem(failure -> {
            LOG.debugf("No retries claimed: the store did not answer (%s)", failure.getMessage());
            return 0;
        });
    }
}
