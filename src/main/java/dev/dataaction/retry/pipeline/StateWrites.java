package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoreFailures;
import dev.dataaction.retry.store.WorkSharing;
import io.smallrye.mutiny.Uni;

/**
 * Writes the state of the retries this instance drives, and says what the store's answer means for each: keep driving
 * it, let it go, or end it.
 */
@ApplicationScoped
class StateWrites {

    private static final Logger LOG = Logger.getLogger(StateWrites.class);

    private final RetryStore store;
    private final Event<RetryEvent> events;

    StateWrites(RetryStore store, Event<RetryEvent> events) {
        this.store = store;
        this.events = events;
    }

    /** Whether other replicas share the store, and take up what this instance hands back. */
    boolean sharesWork() {
        return store.sharing().isPresent();
    }

    /**
     * Writes the retry's state. When the store cannot be reached, this instance lets the retry go: it takes it up again
     * from the state last written once the store answers (or, if this instance dies meanwhile, another replica does). A
     * state the store refuses whenever it is written (a value it cannot hold) is no outage: the retry ends FAILED, and
     * the action is not executed again.
     *
     * @param keep whether this instance keeps driving the retry; otherwise it is handed back to a store that shares work
     * @return whether the retry is still this instance's to drive
     */
    Uni<Boolean> save(DrivenRetry retry, boolean keep) {
        return store.save(retry.state(), keep).onFailure(StoreFailures::isTransient).recoverWithItem(failure -> {
            LOG.debugf("Retry %s let go: its state could not be written (%s)", retry.requestId(), failure.getMessage());
            return false;
        }).onFailure().recoverWithUni(refused -> failUnstorable(retry, refused));
    }

    /**
     * Hands the retries waiting here back to a store that shares work, for other replicas (or this one, restarted) to
     * take up when due.
     *
     * @param nothingOnTheWire whether every attempt of this instance has ended: only then does it say that it left
     * @return false when the store is this instance's alone, and nothing can take the retries over
     */
    boolean handBack(List<DrivenRetry> waiting, boolean nothingOnTheWire) {
        Optional<WorkSharing> sharing = store.sharing();
        if (sharing.isEmpty()) {
            return false;
        }
        try {
            List<UUID> ids = waiting.stream().map(DrivenRetry::requestId).toList();
            // an attempt still on the wire keeps this replica's heartbeat until it is taken for gone
            Uni<Void> handBack = nothingOnTheWire ? sharing.get().leave(ids) : sharing.get().release(ids);
            handBack.await().atMost(Duration.ofSeconds(5));
            LOG.infof("Handed %d waiting retries back to the store for other replicas", waiting.size());
        } catch (RuntimeException unreachable) {
            LOG.warnf("Could not hand %d waiting retries back; other replicas take them over when their leases "
                    + "run out (%s)", waiting.size(), unreachable.getMessage());
        }
        return true;
    }

    private Uni<Boolean> failUnstorable(DrivenRetry retry, Throwable refused) {
        String sqlState = StoreFailures.sqlStateOf(refused);
        LOG.errorf("Retry %s: the store refused its state (SQLSTATE %s); it ends FAILED and is not attempted again",
                retry.requestId(), sqlState);
        retry.failUnstorable(Instant.now(), new LastError(null, "store.refused",
                "the retry's state could not be stored (SQLSTATE " + sqlState + "); the last answer is in the audit trail",
                null));
        return store.save(retry.state(), false).onFailure().recoverWithItem(false).invoke(ours -> {
            if (ours) {
                finished(retry);
            }
        }).replaceWith(false);
    }

    /** Announces the terminal status this instance gave the retry, once it is written. */
    void finished(DrivenRetry retry) {
        events.fire(new RetryEvent.Finished(retry.snapshot()));
    }
}
