package dev.dataaction.retry.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The settings shared by every replica, in the {@code traffic_controls} table; each replica reads them, and counts the
 * replicas whose heartbeat is fresh, every poll interval.
 */
@ApplicationScoped
@Typed(PostgresControlStore.class)
public class PostgresControlStore implements ControlStore {

    /** The row of the whole service. */
    private static final String SERVICE = "";

    private static final String SETTINGS = "SELECT scope, paused, pause_reason, max_concurrent, max_per_second "
            + "FROM traffic_controls";
    private static final String SET_LIMITS = """
            INSERT INTO traffic_controls (scope, max_concurrent, max_per_second) VALUES ($1, $2, $3)
            ON CONFLICT (scope) DO UPDATE SET max_concurrent = excluded.max_concurrent,
                max_per_second = excluded.max_per_second, changed_at = clock_timestamp()""";
    private static final String SET_PAUSE = """
            INSERT INTO traffic_controls (scope, paused, pause_reason) VALUES ($1, $2, $3)
            ON CONFLICT (scope) DO UPDATE SET paused = excluded.paused, pause_reason = excluded.pause_reason,
                changed_at = clock_timestamp()""";
    /** Retries a pause held wait until their deadline; once it is lifted they are due now, for any replica to claim. */
    private static final String RELEASE_UNPAUSED = """
            UPDATE retries SET due_at = clock_timestamp()
             WHERE status = 'PENDING' AND (last_error->>'code') = 'action.paused' AND due_at > clock_timestamp()
               AND NOT (action_id = ANY($1))""";
    private static final String ALIVE = """
            SELECT replica_id FROM replicas
             WHERE heartbeat_at > clock_timestamp() - $1::float8 * interval '1 millisecond' ORDER BY replica_id""";

    private final PostgresRetryStore database;
    private final String replica;
    private final double replicaTimeoutMillis;

    PostgresControlStore(PostgresRetryStore database, ReplicaId replica, OrchestratorConfig config) {
        this.database = database;
        this.replica = replica.value();
        this.replicaTimeoutMillis = config.postgres().replicaTimeout().toMillis();
    }

    @Override
    public Uni<TrafficSettings> settings() {
        return database.query(SETTINGS, Tuple.tuple()).map(rows -> {
            TrafficSettings.Limits service = TrafficSettings.Limits.CONFIGURED;
            Map<String, TrafficSettings.ActionControl> actions = new HashMap<>();
            for (Row row : rows) {
                TrafficSettings.Limits limits = new TrafficSettings.Limits(row.getInteger("max_concurrent"),
                        row.getDouble("max_per_second"));
                if (SERVICE.equals(row.getString("scope"))) {
                    service = limits;
                } else {
                    actions.put(row.getString("scope"), new TrafficSettings.ActionControl(row.getBoolean("paused"),
                            row.getString("pause_reason"), limits));
                }
            }
            return new TrafficSettings(service, Map.copyOf(actions));
        });
    }

    @Override
    public Uni<Void> setServiceLimits(TrafficSettings.Limits limits) {
        return setActionLimits(SERVICE, limits);
    }

    @Override
    public Uni<Void> setActionLimits(String actionId, TrafficSettings.Limits limits) {
        return database.query(SET_LIMITS, Tuple.of(actionId, limits.maxConcurrent(), limits.maxPerSecond()))
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> pause(String actionId, String reason) {
        return database.query(SET_PAUSE, Tuple.of(actionId, true, reason)).replaceWithVoid();
    }

    @Override
    public Uni<Void> resume(String actionId) {
        return database.query(SET_PAUSE, Tuple.of(actionId, false, null)).replaceWithVoid();
    }

    @Override
    public Uni<Void> releaseUnpaused(Set<String> paused) {
        return database.query(RELEASE_UNPAUSED, Tuple.of(paused.toArray(String[]::new))).replaceWithVoid();
    }

    @Override
    public Uni<Share> share() {
        return database.query(ALIVE, Tuple.of(replicaTimeoutMillis)).map(rows -> {
            int replicas = 0;
            int rank = -1;
            for (Row row : rows) {
                if (replica.equals(row.getString("replica_id"))) {
                    rank = replicas;
                }
                replicas++;
            }
            // a replica whose first heartbeat is not written yet counts itself in, last
            return rank < 0 ? new Share(replicas + 1, replicas) : new Share(replicas, rank);
        });
    }
}
