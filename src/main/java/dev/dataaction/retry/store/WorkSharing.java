package dev.dataaction.retry.store;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import io.smallrye.mutiny.Uni;

/**
 * What a store shared by replicas adds: retries outlive the instance that accepted them, any replica claims those that
 * come due, and a replica that stops hands back what it waits on.
 */
public interface WorkSharing {

    /**
     * Claims up to {@code max} unfinished retries that are due within {@code ahead} and that nobody drives (never held,
     * handed back, held by a replica taken for dead, or held by this instance but not among {@code drivenHere}), for this
     * instance to drive. Also renews this instance's heartbeat, even when {@code max} is 0.
     */
    Uni<List<RetryState>> claim(int max, Duration ahead, Collection<UUID> drivenHere);

    /** Hands retries this instance drives back to the store, for any replica to claim when they are due. */
    Uni<Void> release(Collection<UUID> retries);

    /**
     * This instance stops with nothing on the wire: hands its waiting retries back, as {@link #release} does, and says
     * that this instance is gone, so that whatever it still holds is taken over at once.
     */
    Uni<Void> leave(Collection<UUID> waiting);
}
