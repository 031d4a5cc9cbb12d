package dev.dataaction.retry.store;

/**
 * The statements of {@link PostgresRetryStore}. Every lease and heartbeat time is the database's clock
 * ({@code clock_timestamp()}), so that pods whose clocks disagree cannot hand over an attempt that is on the wire.
 */
final class RetrySql {

    static final String UNFINISHED = "('PENDING', 'IN_FLIGHT')";
    /** The statuses of a dead letter, {@link FailureGroup#DEAD}. */
    static final String DEAD = "('FAILED', 'EXHAUSTED')";
    static final String HOLDS_KEY = "('PENDING', 'IN_FLIGHT', 'SUCCEEDED')";
    static final String RECORD_COLUMNS = "request_id, action_id, original_run_id, flatten, status, attempts::text AS attempts, "
            + "attempts_used, due_at, attempt_number, result::text AS result, run_id, last_error::text AS last_error, "
            + "accepted_at, deadline, completed_at";
    static final String ALL_COLUMNS = RECORD_COLUMNS + ", payload::text AS payload";

    static final String INSERT = """
            INSERT INTO retries (request_id, action_id, original_run_id, payload, status, due_at, accepted_at, deadline,
                                 leased_by, lease_until, flatten)
            SELECT $1::uuid, $2::text, $3::text, $4::text::json, 'PENDING', $5::timestamptz, $6::timestamptz,
                   $7::timestamptz, $8::text,
                   CASE WHEN $8::text IS NULL THEN NULL
                        ELSE greatest($5::timestamptz, clock_timestamp()) + $9::float8 * interval '1 millisecond' END,
                   $11::boolean
            WHERE (SELECT count(*) FROM retries WHERE status IN %1$s) < $10::bigint
            ON CONFLICT (action_id, original_run_id) WHERE status IN %2$s DO NOTHING
            RETURNING request_id""".formatted(UNFINISHED, HOLDS_KEY);
    static final String HOLDER = "SELECT " + RECORD_COLUMNS
            + " FROM retries WHERE action_id = $1 AND original_run_id = $2 AND status IN " + HOLDS_KEY;
    static final String BACKLOG = "SELECT count(*) AS backlog FROM retries WHERE status IN " + UNFINISHED;
    static final String FIND = "SELECT " + ALL_COLUMNS + " FROM retries WHERE request_id = $1";
    /**
     * {@link RetryQuery#matches} and the query's cursor, on parameters $1 to $8 (see {@code PostgresRetryStore.filter}):
     * the statuses (null for any), action id, original run id, error code, accepted from and before, and the cursor's
     * acceptance time and request id. An absent bound is infinite rather than a branch on null, so that the keyset and the
     * time range stay conditions of the index scan whatever plan the statement gets.
     */
    static final String MATCHES = """
            ($1::text[] IS NULL OR status = ANY($1::text[]))
            AND ($2::text IS NULL OR action_id = $2::text)
            AND ($3::text IS NULL OR original_run_id = $3::text)
            AND ($4::text IS NULL OR (last_error->>'code') = $4::text)
            AND accepted_at >= coalesce($5::timestamptz, '-infinity')
            AND accepted_at < coalesce($6::timestamptz, 'infinity')
            AND (accepted_at, request_id) < (coalesce($7::timestamptz, 'infinity'),
                                             coalesce($8::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))""";
    /** The order of every listing, {@link RetryQuery.Cursor#NEWEST_FIRST}; PostgreSQL compares uuids unsigned. */
    static final String NEWEST_FIRST = "accepted_at DESC, request_id DESC";
    static final String LIST = """
            SELECT %s FROM retries
             WHERE %s
             ORDER BY %s LIMIT $9""".formatted(RECORD_COLUMNS, MATCHES, NEWEST_FIRST);
    static final String REDRIVABLE = """
            SELECT * FROM (
                SELECT DISTINCT ON (action_id, original_run_id) %1$s FROM retries stopped
                 WHERE %2$s
                   AND NOT EXISTS (SELECT 1 FROM retries holder WHERE holder.action_id = stopped.action_id
                                   AND holder.original_run_id = stopped.original_run_id AND holder.status IN %3$s)
                 ORDER BY action_id, original_run_id, %4$s) newest
            ORDER BY %4$s LIMIT $9""".formatted(ALL_COLUMNS, MATCHES, HOLDS_KEY, NEWEST_FIRST);
    static final String COUNT_BY_STATUS = "SELECT status, count(*) AS retries FROM retries GROUP BY status";
    /**
     * Dead letters and unfinished retries with an error, grouped by action and error code ({@link FailureGroup}). A
     * retry's {@code seen} is when its last attempt started, or when it was accepted if it never was; a group's sample
     * is the message of the retry seen last, of those seen at the same instant the first in a listing. Names compare by
     * code point ({@code COLLATE "C"}), as Java's strings do, whatever the database's collation.
     */
    static final String FAILURE_GROUPS = """
            SELECT action_id, code, count(*) FILTER (WHERE status IN %1$s) AS dead,
                   count(*) FILTER (WHERE status IN %2$s) AS failing, min(accepted_at) AS first_seen,
                   max(seen) AS last_seen, (array_agg(message ORDER BY seen DESC, %3$s))[1] AS sample_message
              FROM (SELECT action_id, last_error->>'code' AS code, last_error->>'message' AS message, status,
                           accepted_at, request_id,
                           coalesce((attempts->-1->>'startedAt')::timestamptz, accepted_at) AS seen
                      FROM retries
                     WHERE (status IN %1$s OR status IN %2$s) AND last_error IS NOT NULL) failed
             GROUP BY action_id, code
             ORDER BY last_seen DESC, action_id COLLATE "C", code COLLATE "C" LIMIT $1"""
            .formatted(DEAD, UNFINISHED, NEWEST_FIRST);
    /**
     * Attempts that started at or after $1, per minute (in UTC, as {@code Instant.truncatedTo} cuts it) and outcome. An
     * attempt starts before its retry finishes, so only retries unfinished or finished since then are opened.
     */
    static final String ATTEMPTS_PER_MINUTE = """
            SELECT date_trunc('minute', started_at, 'UTC') AS minute, outcome, count(*) AS attempts
              FROM (SELECT (attempt->>'startedAt')::timestamptz AS started_at, attempt->>'outcome' AS outcome
                      FROM retries, jsonb_array_elements(attempts) attempt
                     WHERE completed_at IS NULL OR completed_at >= $1) started
             WHERE started_at >= $1
             GROUP BY minute, outcome""";
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
