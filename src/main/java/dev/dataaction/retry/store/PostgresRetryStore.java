package dev.dataaction.retry.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Typed;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps retries in PostgreSQL, shared by every replica ({@code orchestrator.store=postgres}). A retry is driven by the
 * replica that holds its lease ({@code leased_by}); every change of state is written, under that lease, before the replica
 * acts on it. Each replica writes a heartbeat with every look for due retries; the retries of a replica whose heartbeat
 * is older than {@code orchestrator.postgres.replica-timeout} are taken over by the others, which go on from the last
 * written state. Every lease and heartbeat time is the database's clock, so that clocks of pods that disagree cannot hand
 * over an attempt that is on the wire. The schema is created and migrated by Flyway.
 */
@ApplicationScoped
@Typed(PostgresRetryStore.class)
public class PostgresRetryStore implements RetryStore {

    private static final Logger LOG = Logger.getLogger(PostgresRetryStore.class);
    private static final TypeReference<List<Attempt>> ATTEMPTS = new TypeReference<>() {
    };
    private static final String UNFINISHED = "('PENDING', 'IN_FLIGHT')";
    private static final String HOLDS_KEY = "('PENDING', 'IN_FLIGHT', 'SUCCEEDED')";
    private static final String RECORD_COLUMNS = "request_id, action_id, original_run_id, status, attempts::text AS attempts, "
            + "attempts_used, due_at, attempt_number, result::text AS result, run_id, last_error::text AS last_error, "
            + "accepted_at, deadline, completed_at";
    private static final String ALL_COLUMNS = RECORD_COLUMNS + ", payload::text AS payload";

    private static final String INSERT = """
            INSERT INTO retries (request_id, action_id, original_run_id, payload, status, due_at, accepted_at, deadline,
                                 leased_by, lease_until)
            SELECT $1::uuid, $2::text, $3::text, $4::text::json, 'PENDING', $5::timestamptz, $6::timestamptz,
                   $7::timestamptz, $8::text,
                   CASE WHEN $8::text IS NULL THEN NULL
                        ELSE greatest($5::timestamptz, clock_timestamp()) + $9::float8 * interval '1 millisecond' END
            WHERE (SELECT count(*) FROM retries WHERE status IN %1$s) < $10::bigint
            ON CONFLICT (action_id, original_run_id) WHERE status IN %2$s DO NOTHING
            RETURNING request_id""".formatted(UNFINISHED, HOLDS_KEY);
    private static final String HOLDER = "SELECT " + RECORD_COLUMNS
            + " FROM retries WHERE action_id = $1 AND original_run_id = $2 AND status IN " + HOLDS_KEY;
    private static final String BACKLOG = "SELECT count(*) AS backlog FROM retries WHERE status IN " + UNFINISHED;
    private static final String FIND = "SELECT " + ALL_COLUMNS + " FROM retries WHERE request_id = $1";
    private static final String LIST = "SELECT " + RECORD_COLUMNS + """
             FROM retries
            WHERE ($1::text IS NULL OR status = $1::text) AND ($2::text IS NULL OR action_id = $2::text)
            ORDER BY accepted_at DESC LIMIT $3""";
    private static final String REDRIVABLE = """
            SELECT * FROM (
                SELECT DISTINCT ON (action_id, original_run_id) %1$s FROM retries stopped
                 WHERE status = $1::text AND ($2::text IS NULL OR action_id = $2::text)
                   AND NOT EXISTS (SELECT 1 FROM retries holder WHERE holder.action_id = stopped.action_id
                                   AND holder.original_run_id = stopped.original_run_id AND holder.status IN %2$s)
                 ORDER BY action_id, original_run_id, accepted_at DESC) newest
            ORDER BY accepted_at DESC LIMIT $3""".formatted(ALL_COLUMNS, HOLDS_KEY);
    private static final String SAVE = """
            UPDATE retries SET status = $2, attempts = $3::text::jsonb, attempts_used = $4, due_at = $5,
                               attempt_number = $6, result = $7::text::json, run_id = $8, last_error = $9::text::json,
                               completed_at = $10, leased_by = $11,
                               lease_until = CASE WHEN $11::text IS NULL THEN NULL
                                   ELSE greatest($5::timestamptz, clock_timestamp()) + $12::float8 * interval '1 millisecond'
                                   END
             WHERE request_id = $1 AND leased_by = $13 AND status IN""" + " " + UNFINISHED;
    /** Appends the attempts the row lacks: the holder that took the retry over may have recorded attempts of its own. */
    private static final String RECORD_LATE_ATTEMPT = """
            UPDATE retries SET attempts = attempts || (SELECT coalesce(jsonb_agg(late), '[]'::jsonb)
                                                         FROM jsonb_array_elements($2::text::jsonb) late
                                                        WHERE NOT attempts @> jsonb_build_array(late)),
                               attempts_used = greatest(attempts_used, $3),
                               result = coalesce(result, $4::text::json), run_id = coalesce(run_id, $5)
             WHERE request_id = $1 AND status = 'CANCELLED'""";
    private static final String CANCEL = """
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
    private static final String CLAIM = """
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
    private static final String LEAVE = "UPDATE replicas SET heartbeat_at = '-infinity' WHERE replica_id = $1";
    /** Replicas gone for a day are forgotten; their retries were taken over long before. */
    private static final String FORGET_GONE_REPLICAS = "DELETE FROM replicas WHERE heartbeat_at < clock_timestamp() - interval '1 day'";
    private static final String RELEASE = """
            UPDATE retries SET leased_by = NULL, lease_until = NULL
             WHERE request_id = ANY($1::uuid[]) AND leased_by = $2 AND status = 'PENDING'""";
    private static final String PURGE = """
            DELETE FROM retries WHERE request_id IN (
                SELECT request_id FROM retries WHERE completed_at < $1 LIMIT $2)""";

    private final Instance<Pool> pools;
    private final SchemaMigration schema;
    private final ObjectMapper json;
    private final OrchestratorConfig config;
    private final String replica;
    private final long leaseMillis;
    private volatile boolean reachable = true;
    private volatile Instant unreachableSince = Instant.EPOCH;

    PostgresRetryStore(Instance<Pool> pools, ObjectMapper json, OrchestratorConfig config, ReplicaId replica,
            SchemaMigration schema) {
        this.pools = pools;
        this.schema = schema;
        this.json = json;
        this.config = config;
        this.replica = replica.value();
        this.leaseMillis = config.postgres().lease().toMillis();
    }

    @Override
    public boolean sharesWork() {
        return true;
    }

    @Override
    public boolean reachable() {
        return reachable && schema.done();
    }

    @Override
    public Uni<Optional<RetryRecord>> holderOf(String actionId, String originalRunId) {
        return query(HOLDER, Tuple.of(actionId, originalRunId)).map(rows -> first(rows, this::record));
    }

    @Override
    public Uni<Addition> add(Retry candidate, boolean drivenHere) {
        return add(candidate, drivenHere, 3);
    }

    /**
     * One statement inserts the retry unless the backlog is full or another retry holds its key, so two replicas can
     * never both accept it. When it inserts nothing, the holder is read; if that holder finished in between, the insert is
     * tried again.
     */
    private Uni<Addition> add(Retry candidate, boolean drivenHere, int triesLeft) {
        RetryRecord retry = candidate.snapshot();
        Instant due = retry.nextAttemptAt();
        Tuple values = Tuple.tuple(List.of(retry.requestId(), retry.actionId(), retry.originalRunId(),
                write(candidate.payload()), at(due), at(retry.acceptedAt()), at(candidate.deadline())))
                .addString(drivenHere ? replica : null)
                .addDouble((double) leaseMillis)
                .addLong((long) config.queue().maxBacklog());
        return query(INSERT, values).chain(inserted -> {
            if (inserted.rowCount() == 1) {
                return Uni.createFrom().item(new Addition.Added(retry));
            }
            return holderOf(retry.actionId(), retry.originalRunId()).chain(holder -> {
                if (holder.isPresent()) {
                    return Uni.createFrom().item(new Addition.Held(holder.get()));
                }
                return query(BACKLOG, Tuple.tuple()).chain(backlog -> {
                    if (backlog.iterator().next().getLong("backlog") >= config.queue().maxBacklog() || triesLeft == 0) {
                        return Uni.createFrom().item(new Addition.BacklogFull(config.queue().maxBacklog()));
                    }
                    return add(candidate, drivenHere, triesLeft - 1);
                });
            });
        });
    }

    @Override
    public Uni<Optional<RetryRecord>> find(UUID requestId) {
        return query(FIND, Tuple.of(requestId)).map(rows -> first(rows, this::record));
    }

    @Override
    public Uni<List<RetryRecord>> list(RetryQuery query) {
        return query(LIST, filter(query)).map(rows -> all(rows, this::record));
    }

    @Override
    public Uni<Optional<StoredSubmission>> submission(UUID requestId) {
        return query(FIND, Tuple.of(requestId)).map(rows -> first(rows, this::submission));
    }

    @Override
    public Uni<List<StoredSubmission>> redrivable(RetryQuery query) {
        return query(REDRIVABLE, filter(query)).map(rows -> all(rows, this::submission));
    }

    @Override
    public Uni<Boolean> save(Retry retry, boolean keep) {
        RetryRecord state = retry.snapshot();
        boolean inFlight = state.status() == RetryStatus.IN_FLIGHT;
        boolean held = inFlight || state.status() == RetryStatus.PENDING && keep;
        Instant due = inFlight ? retry.inFlightSince() : state.nextAttemptAt();
        Tuple values = Tuple.tuple(List.of(state.requestId(), state.status().name(), write(state.attempts()),
                retry.attemptsUsed()))
                .addOffsetDateTime(at(due))
                .addInteger(inFlight ? retry.attemptInFlight() : null)
                .addString(write(state.result()))
                .addString(state.runId())
                .addString(write(state.lastError()))
                .addOffsetDateTime(at(state.completedAt()))
                .addString(held ? replica : null)
                .addDouble((double) leaseMillis)
                .addString(replica);
        return query(SAVE, values).chain(saved -> {
            if (saved.rowCount() == 1) {
                return Uni.createFrom().item(true);
            }
            // no longer ours; if it was cancelled while an attempt was on the wire, that attempt still belongs on record
            return query(RECORD_LATE_ATTEMPT, Tuple.tuple(Arrays.asList(state.requestId(), write(state.attempts()),
                    retry.attemptsUsed(), write(state.result()), state.runId()))).replaceWith(false);
        });
    }

    @Override
    public Uni<Cancellation> cancel(UUID requestId, Instant at) {
        return query(CANCEL, Tuple.of(requestId, at(at))).chain(cancelled -> {
            Optional<RetryRecord> record = first(cancelled, this::record);
            if (record.isPresent()) {
                return Uni.createFrom().item(new Cancellation.Cancelled(record.get()));
            }
            return find(requestId).map(found -> found.<Cancellation> map(Cancellation.AlreadyFinished::new)
                    .orElseGet(Cancellation.NotFound::new));
        });
    }

    @Override
    public Uni<List<Retry>> claim(int max, Duration ahead, Collection<UUID> drivenHere) {
        Tuple values = Tuple.of(replica, (double) leaseMillis, (double) ahead.toMillis(), max,
                drivenHere.toArray(UUID[]::new), (double) config.postgres().replicaTimeout().toMillis());
        return query(CLAIM, values).map(rows -> all(rows, this::resume));
    }

    @Override
    public Uni<Void> release(List<Retry> retries) {
        if (retries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        UUID[] ids = retries.stream().map(Retry::requestId).toArray(UUID[]::new);
        return query(RELEASE, Tuple.of(ids, replica)).replaceWithVoid();
    }

    /**
     * Hands the waiting retries back and marks this replica gone, so that whatever else it still holds (an attempt whose
     * outcome could not be written) is taken over at once rather than after the replica timeout.
     */
    @Override
    public Uni<Void> leave(List<Retry> waiting) {
        return release(waiting).chain(() -> query(LEAVE, Tuple.of(replica))).replaceWithVoid();
    }

    /** Finished retries keep their {@code completed_at}; the purge job reads it. */
    @Override
    public void finished(Retry retry) {
    }

    /**
     * Deletes the retries that finished before {@code cutoff}, a batch per statement, and forgets replicas gone for a
     * day.
     */
    @Override
    public Uni<Long> purge(Instant cutoff) {
        return query(FORGET_GONE_REPLICAS, Tuple.tuple()).chain(() -> purgeFinished(cutoff));
    }

    private Uni<Long> purgeFinished(Instant cutoff) {
        int batch = config.postgres().purgeBatch();
        return query(PURGE, Tuple.of(at(cutoff), batch)).chain(deleted -> deleted.rowCount() < batch
                ? Uni.createFrom().item((long) deleted.rowCount())
                : purgeFinished(cutoff).map(more -> deleted.rowCount() + more));
    }

    private Uni<RowSet<Row>> query(String sql, Tuple values) {
        if (!schema.done()) {
            return Uni.createFrom().failure(new IllegalStateException("the database schema is not migrated yet"));
        }
        Duration timeout = config.postgres().queryTimeout();
        return pools.get().preparedQuery(sql).execute(values)
                .ifNoItem().after(timeout).failWith(() -> new StoreTimeout(timeout))
                .invoke(this::answered)
                .onFailure().invoke(this::failed);
    }

    /**
     * An outage is told in two lines, when it starts and when it ends: every submission, attempt and look for due retries
     * in between fails the same way, and is counted in the metrics rather than logged.
     */
    private void answered() {
        if (!reachable) {
            reachable = true;
            LOG.infof("The database answers again, after %d ms; retries let go meanwhile are taken up again",
                    Duration.between(unreachableSince, Instant.now()).toMillis());
        }
    }

    private void failed(Throwable failure) {
        if (!StoreFailures.isTransient(failure)) {
            answered();
            return;
        }
        if (reachable) {
            unreachableSince = Instant.now();
            reachable = false;
            LOG.warnf("The database does not answer (%s): submissions get 503, readiness is DOWN, and retries whose "
                    + "state cannot be written are let go until it answers again", failure.getMessage());
        }
    }

    private static Tuple filter(RetryQuery query) {
        return Tuple.of(query.status().map(Enum::name).orElse(null), query.actionId().orElse(null), query.limit());
    }

    private RetryRecord record(Row row) {
        RetryStatus status = RetryStatus.valueOf(row.getString("status"));
        return new RetryRecord(row.getUUID("request_id"), row.getString("action_id"), row.getString("original_run_id"),
                status, read(row.getString("attempts"), (json, text) -> json.readValue(text, ATTEMPTS)),
                status == RetryStatus.PENDING ? instant(row, "due_at") : null,
                read(row.getString("result"), ObjectMapper::readTree), row.getString("run_id"),
                read(row.getString("last_error"), (json, text) -> json.readValue(text, LastError.class)),
                instant(row, "accepted_at"), instant(row, "completed_at"));
    }

    private StoredSubmission submission(Row row) {
        return new StoredSubmission(record(row), payload(row));
    }

    /** A claimed retry; one that was IN_FLIGHT has its attempt, started at {@code due_at}, recorded as interrupted. */
    private Retry resume(Row row) {
        return Retry.resume(record(row), payload(row), instant(row, "deadline"), row.getInteger("attempts_used"),
                row.getInteger("attempt_number"), instant(row, "due_at"));
    }

    private ObjectNode payload(Row row) {
        return read(row.getString("payload"), (json, text) -> (ObjectNode) json.readTree(text));
    }

    private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapping) {
        var found = rows.iterator();
        return found.hasNext() ? Optional.of(mapping.apply(found.next())) : Optional.empty();
    }

    private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapping) {
        List<T> mapped = new ArrayList<>(rows.size());
        rows.forEach(row -> mapped.add(mapping.apply(row)));
        return mapped;
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Reads a JSON column's text. */
    private interface Reading<T> {
        T from(ObjectMapper json, String text) throws JsonProcessingException;
    }

    private <T> T read(String column, Reading<T> reading) {
        if (column == null) {
            return null;
        }
        try {
            return reading.from(json, column);
        } catch (JsonProcessingException corrupt) {
            throw new IllegalStateException("A stored retry holds JSON that cannot be read", corrupt);
        }
    }

    private String write(Object value) {
        if (value == null || value instanceof JsonNode node && node.isNull()) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException unwritable) {
            throw new IllegalStateException("A retry's state cannot be written as JSON", unwritable);
        }
    }

}
