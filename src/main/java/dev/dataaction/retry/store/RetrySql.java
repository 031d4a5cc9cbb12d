package dev.dataaction.retry.store;

/**
 * The statements of {@link PostgresRetryStore}. Every lease and heartbeat time is the database's clock
 * ({@code clock_timestamp()}), so that pods whose clocks disagree cannot hand over an attempt that is on the wire.
 */
final class RetrySql {

    static final String UNFINISHED = "('PENDING', 'IN_FLIGHT')";
    static final String HOLDS_KEY = "('PENDING', 'IN_FLIGHT', 'SUCCEEDED')";
    static final String RECORD_COLUMNS = "request_id, action_id, original_run_id, status, attempts::text AS attempts, "
            + "attempts_used, due_at, attempt_number, result::text AS result, run_id, last_error::text AS last_error, "
            + "accepted_at, deadline, completed_at";
    static final String ALL_COLUMNS = RECORD_COLUMNS + ", payload::text AS payload";

    static final String INSERT = """
            INSERT INTO retries (request_id, action_id, original_run_id, payload, status, due_at, accepted_at, deadline,
                                 leased_by, lease_until)
            SELECT $1::uuid, $2::text, $3::text, $4::text::json, 'PENDING', $5::timestamptz, $6::timestamptz,
                   $7::timestamptz, $8::text,
                   CASE WHEN $8::text IS NULL THEN NULL
                        ELSE greatest($5::timestamptz, clock_timestamp()) + $9::float8 * interval '1 millisecond' END
            WHERE (SELECT count(*) FROM retries WHERE status IN %1$s) < $10::bigint
            ON CONFLICT (action_id, original_run_id) WHERE status IN %2$s DO NOTHING
            RETURNING request_id""".formatted(UNFINISHED, HOLDS_KEY);
    static final String HOLDER = "SELECT " + RECORD_COLUMNS
            + " FROM retries WHERE action_id = $1 AND original_run_id = $2 AND status IN " + HOLDS_KEY;
    static final String BACKLOG = "SELECT count(*) AS backlog FROM retries WHERE status IN " + UNFINISHED;
    static final String FIND = "SELECT " + ALL_COLUMNS + " FROM retries WHERE request_id = $1";
    static final String LIST = "SELECT " + RECORD_COLUMNS + """
             FROM retries
            WHERE ($1::text IS NULL OR status = $1::text) AND ($2::text IS NULL OR action_id = $2::text)
            ORDER BY accepted_at DESC LIMIT $3""";
    static final String REDRIVABLE = """
            SELECT * FROM (
                SELECT DISTINCT ON (action_id, original_run_id) %1$s FROM retries stopped
                 WHERE status = $1::text AND ($2::text IS NULL OR action_id = $2::text)
                   AND NOT EXISTS (SELECT 1 FROM retries holder WHERE holder.action_id = stopped.action_id
                                   AND holder.original_run_id = stopped.original_run_id AND holder.status IN %2$s)
                 ORDER BY action_id, original_run_id, accepted_at DESC) newest
            ORDER BY accepted_at DESC LIMIT $3""".formatted(ALL_COLUMNS, HOLDS_KEY);
    static final String SAVE = """
            UPDATE retries SET status = $2, attempts = $3::text::jsonb, attempts_used = $4, due_at = $5,
                               attempt_number = $6, result = $7::text::json, run_id = $8, last_error = $9::text::json,
                               completed_at = $10, leased_by = $11,
                               lease_until = CASE WHEN $11::text IS NULL THEN NULL
                                   ELSE greatest($5::timestamptz, clock_timestamp()) + $12::float8 * interval '1 millisecond'
                                   END
             WHERE request_id = $1 AND leased_by = $13 AND status IN""" + " " + UNFINISHED;
    /** Appends the attempts the row lacks: the holder that took the retry over may have recorded attempts of its own. */
    static final String RECORD_LATE_ATTEMPT = """
            UPDATE retries SET attempts = attempts || (SELECT coalesce(jsonb_agg(late), '[]'::jsonb)
                                                         FROM jsonb_array_elements($2::text::jsonb) late
                                                        WHERE NOT attempts @> jsonb_build_array(late)),
                               attempts_used = greatest(attempts_used, $3),
                               result = coalesce(result, $4::text::json), run_id = coalesce(run_id, $5)
             WHERE request_id = $1 AND status = 'CANCELLED'""";
    static final String CANCEL = """
            UPDATE retries SET status = 'CANCELLED', completed_at = $2, due_at = NULL, leased_by = NULL,
                               lease_until = NULL
             WHERE request_id = $1 AND status IN %s
            RETURNING %s""".formatted(UNFINISHED, RECORD_COLUMNS);
    /**
     * Writes this replica's heartbeat and claims due retries that nobody drives: never held or handed back; held by a
     * replica whose heartbeat is older than the replica timeout (one that left has the oldest of all), or, for a holder
     * with no heartbeat on record (one that has just started), one whose lease was taken longer than the replica timeout
     * ago; held by this replica but not driven by it (let go when a write failed, or stored by a submission whose answer
     * came too late); or waiting past their lease in a replica that is alive. An attempt on the wire in a replica that
     * is alive is never taken, however long Genesys takes.
     */
    static final String CLAIM = """
            WITH heartbeat AS (
                INSERT INTO replicas (replica_id, heartbeat_at) VALUES ($1, clock_timestamp())
                ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at)
            UPDATE retries claimed
               SET leased_by = $1,
                   lease_until = greatest(claimed.due_at, clock_timestamp()) + $2::float8 * interval '1 millisecond'
              FROM (SELECT request_id AS due_id FROM retries candidate
                     WHERE status IN %1$s AND due_at <= clock_timestamp() + $3::float8 * interval '1 millisecond'
                       AND (leased_by IS NULL
                            OR (leased_by = $1 AND NOT request_id = ANY($5::uuid[]))
                            OR (leased_by <> $1 AND status = 'PENDING' AND lease_until < clock_timestamp())
                            OR (leased_by <> $1 AND NOT EXISTS (
                                    SELECT 1 FROM replicas alive WHERE alive.replica_id = candidate.leased_by
                                       AND alive.heartbeat_at > clock_timestamp() - $6::float8 * interval '1 millisecond')
                                AND (EXISTS (SELECT 1 FROM replicas silent WHERE silent.replica_id = candidate.leased_by)
                                     OR lease_until < clock_timestamp()
                                                      + ($2::float8 - $6::float8) * interval '1 millisecond')))
                     ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
             WHERE claimed.request_id = due.due_id
            RETURNING %2$s"""
            .formatted(UNFINISHED, ALL_COLUMNS);
    /** A replica that left has a heartbeat older than any timeout, unlike one just started that has none yet. */
    static final String LEAVE = "UPDATE replicas SET heartbeat_at = '-infinity' WHERE replica_id = $1";
    /** Replicas gone for a day are forgotten; their retries were taken over long before. */
    static final String FORGET_GONE_REPLICAS = "DELETE FROM replicas WHERE heartbeat_at < clock_timestamp() - interval '1 day'";
    static final String RELEASE = """
            UPDATE retries SET leased_by = NULL, lease_until = NULL
             WHERE request_id = ANY($1::uuid[]) AND leased_by = $2 AND status = 'PENDING'""";
    static final String PURGE = """
            DELETE FROM retries WHERE request_id IN (
                SELECT request_id FROM retries WHERE completed_at < $1 LIMIT $2)""";

    private RetrySql() {
    }
}
