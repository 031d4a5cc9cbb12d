package dev.dataaction.retry.store;

import java.util.Set;

import io.smallrye.mutiny.Uni;

/**
 * Where the settings changed at run time are kept: in this process with the memory store, in the database with the
 * PostgreSQL store, where every replica reads them each poll interval.
 */
public interface ControlStore {

    /** The replicas that share the limits, and where this one stands among them. */
    record Share(int replicas, int rank) {

        public static final Share ALONE = new Share(1, 0);

        /** This replica's part of a limit of {@code total} whole units: an even split, the remainder to the first ones. */
        public int of(int total) {
            return total / replicas + (rank < total % replicas ? 1 : 0);
        }

        /** This replica's part of a rate. */
        public double of(double total) {
            return total / replicas;
        }
    }

    /** The settings as they stand. */
    Uni<TrafficSettings> settings();

    /** Sets the service's limits. */
    Uni<Void> setServiceLimits(TrafficSettings.Limits limits);

    /** Sets one action's limits. */
    Uni<Void> setActionLimits(String actionId, TrafficSettings.Limits limits);

    /** Pauses an action: its due retries wait until it is resumed. */
    Uni<Void> pause(String actionId, String reason);

    /** Resumes an action. */
    Uni<Void> resume(String actionId);

    /**
     * Makes the retries that a pause no longer in force held, and handed back, due at once: those of every action but
     * {@code paused}. A replica that had not yet read a resume may hold retries for its pause after another applied it;
     * each replica sweeps with every read of the settings, so that such retries wait one poll interval, not until their
     * deadline.
     */
    Uni<Void> releaseUnpaused(Set<String> paused);

    /** The replicas alive, this one included. */
    Uni<Share> share();
}
