package dev.dataaction.retry.store;

import static dev.dataaction.retry.store.RetryRows.all;
import static dev.dataaction.retry.store.RetryRows.at;
import static dev.dataaction.retry.store.RetryRows.first;
import static dev.dataaction.retry.store.RetryRows.instant;
import static dev.dataaction.retry.store.RetrySql.ATTEMPTS_PER_MINUTE;
import static dev.dataaction.retry.store.RetrySql.BACKLOG;
import static dev.dataaction.retry.store.RetrySql.CANCEL;
import static dev.dataaction.retry.store.RetrySql.CLAIM;
import static dev.dataaction.retry.store.RetrySql.COUNT_BY_STATUS;
import static dev.dataaction.retry.store.RetrySql.FAILURE_GROUPS;
import static dev.dataaction.retry.store.RetrySql.FIND;
import static dev.dataaction.retry.store.RetrySql.FORGET_GONE_REPLICAS;
import static dev.dataaction.retry.store.RetrySql.HOLDER;
import static dev.dataaction.retry.store.RetrySql.INSERT;
import static dev.dataaction.retry.store.RetrySql.LEAVE;
import static dev.dataaction.retry.store.RetrySql.LIST;
import static dev.dataaction.retry.store.RetrySql.PURGE;
import static dev.dataaction.retry.store.RetrySql.RECORD_LATE_ATTEMPT;
import static dev.dataaction.retry.store.RetrySql.REDRIVABLE;
import static dev.dataaction.retry.store.RetrySql.RELEASE;
import static dev.dataaction.retry.store.RetrySql.SAVE;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Typed;

import com.fasterxml.jackson.databind.ObjectMapper;

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
public class PostgresRetryStore implements RetryStore, WorkSharing {

    private final Instance<Pool> pools;
    private final SchemaMigration schema;
    private final RetryRows rows;
    private final OrchestratorConfig config;
    private final String replica;
    private final long leaseMillis;
    private final DatabaseOutage outage = new DatabaseOutage();

    PostgresRetryStore(Instance<Pool> pools, ObjectMapper json, OrchestratorConfig config, ReplicaId replica,
            SchemaMigration schema) {
        this.pools = pools;
        this.schema = schema;
        this.rows = new RetryRows(json);
        this.config = config;
        this.replica = replica.value();
        this.leaseMillis = config.postgres().lease().toMillis();
    }

    @Override
    public Optional<WorkSharing> sharing() {
        return Optional.of(this);
    }

    @Override
    public boolean reachable() {
        return outage.reachable() && schema.done();
    }

    @Override
    public Uni<Optional<RetryRecord>> holderOf(String actionId, String originalRunId) {
        return query(HOLDER, Tuple.of(actionId, originalRunId)).map(found -> first(found, rows::record));
    }

    @Override
    public Uni<Addition> add(RetryState candidate, boolean drivenHere) {
        return add(candidate, drivenHere, 3);
    }

    /**
     * One statement inserts the retry unless the backlog is full or another retry holds its key, so two replicas can
     * never both accept it. When it inserts nothing, the holder is read; if that holder finished in between, the insert is
     * tried again.
     */
    private Uni<Addition> add(RetryState candidate, boolean drivenHere, int triesLeft) {
        RetryRecord retry = candidate.record();
        Instant due = retry.nextAttemptAt();
        Tuple values = Tuple.tuple(List.of(retry.requestId(), retry.actionId(), retry.originalRunId(),
                rows.write(candidate.payload()), at(due), at(retry.acceptedAt()), at(candidate.deadline())))
                .addString(drivenHere ? replica : null)
                .addDouble((double) leaseMillis)
                .addLong((long) config.queue().maxBacklog())
                .addBoolean(retry.flatten());
        return query(INSERT, values).chain(inserted -> {
            if (inserted.rowCount() == 1) {
                return Uni.createFrom().item(new Addition.Added(retry));
            }
            return holderOf(retry.actionId(), retry.originalRunId()).chain(holder -> {
                if (holder.isPresent()) {
                    return Uni.createFrom().item(new Addition.Duplicate(holder.get()));
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
        return query(FIND, Tuple.of(requestId)).map(found -> first(found, rows::record));
    }

    @Override
    public Uni<List<RetryRecord>> list(RetryQuery query) {
        return query(LIST, filter(query)).map(found -> all(found, rows::record));
    }

    @Override
    public Uni<Map<RetryStatus, Long>> countByStatus() {
        return query(COUNT_BY_STATUS, Tuple.tuple()).map(found -> {
            Map<RetryStatus, Long> counts = new EnumMap<>(RetryStatus.class);
            found.forEach(row -> counts.put(RetryStatus.valueOf(row.getString("status")), row.getLong("retries")));
            return counts;
        });
    }

    @Override
    public Uni<List<FailureGroup>> failureGroups(int limit) {
        return query(FAILURE_GROUPS, Tuple.of(limit)).map(found -> all(found, row -> new FailureGroup(
                row.getString("action_id"), row.getString("code"), row.getLong("dead"), row.getLong("failing"),
                instant(row, "first_seen"), instant(row, "last_seen"), row.getString("sample_message"))));
    }

    /** Oldest minute first, and within a minute in the order of {@link AttemptOutcome}, as the memory store counts. */
    @Override
    public Uni<List<AttemptCount>> attemptsPerMinute(Instant since) {
        return query(ATTEMPTS_PER_MINUTE, Tuple.of(at(since))).map(found -> all(found, row -> new AttemptCount(
                instant(row, "minute"), AttemptOutcome.valueOf(row.getString("outcome")), row.getLong("attempts"))))
                .map(counts -> counts.stream().sorted(Comparator.comparing(AttemptCount::minute)
                        .thenComparing(AttemptCount::outcome)).toList());
    }

    @Override
    public Uni<Optional<StoredSubmission>> submission(UUID requestId) {
        return query(FIND, Tuple.of(requestId)).map(found -> first(found, rows::submission));
    }

    @Override
    public Uni<List<StoredSubmission>> redrivable(RetryQuery query) {
        return query(REDRIVABLE, filter(query)).map(found -> all(found, rows::submission));
    }

    @Override
    public Uni<Boolean> save(RetryState retry, boolean keep) {
        RetryRecord state = retry.record();
        boolean inFlight = state.status() == RetryStatus.IN_FLIGHT;
        boolean held = inFlight || state.status() == RetryStatus.PENDING && keep;
        Instant due = inFlight ? retry.inFlightSince() : state.nextAttemptAt();
        Tuple values = Tuple.tuple(List.of(state.requestId(), state.status().name(), rows.write(state.attempts()),
                retry.attemptsUsed()))
                .addOffsetDateTime(at(due))
                .addInteger(inFlight ? retry.attemptInFlight() : null)
                .addString(rows.write(state.result()))
                .addString(state.runId())
                .addString(rows.write(state.lastError()))
                .addOffsetDateTime(at(state.completedAt()))
                .addString(held ? replica : null)
                .addDouble((double) leaseMillis)
                .addString(replica);
        return query(SAVE, values).chain(saved -> {
            if (saved.rowCount() == 1) {
                return Uni.createFrom().item(true);
            }
            // no longer ours; if it was cancelled while an attempt was on the wire, that attempt still belongs on record
            return query(RECORD_LATE_ATTEMPT, Tuple.tuple(Arrays.asList(state.requestId(), rows.write(state.attempts()),
                    retry.attemptsUsed(), rows.write(state.result()), state.runId()))).replaceWith(false);
        });
    }

    @Override
    public Uni<Cancellation> cancel(UUID requestId, Instant at) {
        return query(CANCEL, Tuple.of(requestId, at(at))).chain(cancelled -> {
            Optional<RetryRecord> record = first(cancelled, rows::record);
            if (record.isPresent()) {
                return Uni.createFrom().item(new Cancellation.Cancelled(record.get()));
            }
            return find(requestId).map(found -> found.<Cancellation> map(Cancellation.AlreadyFinished::new)
                    .orElseGet(Cancellation.NotFound::new));
        });
    }

    @Override
    public Uni<List<RetryState>> claim(int max, Duration ahead, Collection<UUID> drivenHere) {
        Tuple values = Tuple.of(replica, (double) leaseMillis, (double) ahead.toMillis(), max,
                drivenHere.toArray(UUID[]::new), (double) config.postgres().replicaTimeout().toMillis());
        return query(CLAIM, values).map(claimed -> all(claimed, rows::state));
    }

    @Override
    public Uni<Void> release(Collection<UUID> retries) {
        if (retries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return query(RELEASE, Tuple.of(retries.toArray(UUID[]::new), replica)).replaceWithVoid();
    }

    /**
     * Hands the waiting retries back and marks this replica gone, so that whatever else it still holds (an attempt whose
     * outcome could not be written) is taken over at once rather than after the replica timeout.
     */
    @Override
    public Uni<Void> leave(Collection<UUID> waiting) {
        return release(waiting).chain(() -> query(LEAVE, Tuple.of(replica))).replaceWithVoid();
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

    /** Runs one statement within the query timeout, once the schema is migrated; its outcome tells outages apart. */
    Uni<RowSet<Row>> query(String sql, Tuple values) {
        if (!schema.done()) {
            return Uni.createFrom().failure(new IllegalStateException("the database schema is not migrated yet"));
        }
        Duration timeout = config.postgres().queryTimeout();
        return pools.get().preparedQuery(sql).execute(values)
                .ifNoItem().after(timeout).failWith(() -> new StoreTimeout(timeout))
                .invoke(outage::answered)
                .onFailure().invoke(outage::failed);
    }

    /** The parameters of {@link RetrySql#MATCHES}, then the limit. */
    private static Tuple filter(RetryQuery query) {
        String[] statuses = query.statuses().isEmpty() ? null
                : query.statuses().stream().map(RetryStatus::name).toArray(String[]::new);
        Optional<RetryQuery.Cursor> after = query.after();
        return Tuple.tuple(Arrays.asList(statuses, query.actionId().orElse(null), query.originalRunId().orElse(null),
                query.errorCode().orElse(null), at(query.acceptedFrom().orElse(null)),
                at(query.acceptedBefore().orElse(null)), at(after.map(RetryQuery.Cursor::acceptedAt).orElse(null)),
                after.map(RetryQuery.Cursor::requestId).orElse(null), query.limit()));
    }
}
