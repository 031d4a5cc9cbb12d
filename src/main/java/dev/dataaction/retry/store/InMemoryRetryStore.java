package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.smallrye.mutiny.Uni;

/**
 * Keeps retries in memory: nothing survives a restart. Finished retries are forgotten after
 * {@code orchestrator.retention}, and beyond {@code orchestrator.retention-max-records} the oldest finished ones go first,
 * so memory stays bounded whatever the traffic. Selected by {@code orchestrator.store=memory}, the default: for development
 * and single-instance demonstrations.
 */
@ApplicationScoped
@Typed(InMemoryRetryStore.class)
public class InMemoryRetryStore implements RetryStore {

    private record Key(String actionId, String originalRunId) {
    }

    /** The retries of one failure group: an action and an error code, which may be null. */
    private record Family(String actionId, String code) {
    }

    /** One retry's latest state; written under the entry's lock, read without it. */
    private static final class Entry {
        /** Its place in the order of listings; acceptance time and request id never change. */
        final RetryQuery.Cursor place;
        volatile RetryState state;

        Entry(RetryState state) {
            this.place = RetryQuery.Cursor.of(state.record());
            this.state = state;
        }

        RetryRecord record() {
            return state.record();
        }

        Key key() {
            return new Key(record().actionId(), record().originalRunId());
        }
    }

    private final OrchestratorConfig config;
    private final ConcurrentHashMap<UUID, Entry> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Entry> byKey = new ConcurrentHashMap<>();
    /** Newest first, in the order of {@link RetryQuery.Cursor#NEWEST_FIRST}, which PostgreSQL's listings follow too. */
    private final ConcurrentSkipListMap<RetryQuery.Cursor, Entry> newestFirst = new ConcurrentSkipListMap<>(
            RetryQuery.Cursor.NEWEST_FIRST);
    /** Finished retries in the order they finished, for retention. */
    private final Queue<Entry> finishedOldestFirst = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();

    InMemoryRetryStore(OrchestratorConfig config) {
        this.config = config;
    }

    /** Every unfinished retry is driven by this instance from its acceptance: nothing is shared. */
    @Override
    public Optional<WorkSharing> sharing() {
        return Optional.empty();
    }

    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public Uni<Optional<RetryRecord>> holderOf(String actionId, String originalRunId) {
        return Uni.createFrom().item(holder(actionId, originalRunId).map(Entry::record));
    }

    @Override
    public Uni<Addition> add(RetryState candidate, boolean drivenHere) {
        RetryRecord retry = candidate.record();
        Entry added = new Entry(candidate);
        Entry holder = byKey.compute(added.key(),
                (key, existing) -> existing != null && holdsKey(existing) ? existing : added);
        if (holder != added) {
            return Uni.createFrom().item(new Addition.Duplicate(holder.record()));
        }
        byId.put(retry.requestId(), added);
        newestFirst.put(added.place, added);
        return Uni.createFrom().item(new Addition.Added(retry));
    }

    @Override
    public Uni<Optional<RetryRecord>> find(UUID requestId) {
        return Uni.createFrom().item(entry(requestId).map(Entry::record));
    }

    @Override
    public Uni<List<RetryRecord>> list(RetryQuery query) {
        return Uni.createFrom().item(matching(query).limit(query.limit()).map(Entry::record).toList());
    }

    @Override
    public Uni<Optional<StoredSubmission>> submission(UUID requestId) {
        return Uni.createFrom().item(entry(requestId).map(InMemoryRetryStore::submissionOf));
    }

    @Override
    public Uni<List<StoredSubmission>> redrivable(RetryQuery query) {
        Set<Key> seen = new HashSet<>();
        return Uni.createFrom().item(matching(query)
                .filter(entry -> seen.add(entry.key()))
                .filter(entry -> holder(entry.key().actionId(), entry.key().originalRunId()).isEmpty())
                .limit(query.limit()).map(InMemoryRetryStore::submissionOf).toList());
    }

    @Override
    public Uni<Boolean> save(RetryState retry, boolean keep) {
        Entry entry = byId.get(retry.requestId());
        if (entry == null) {
            return Uni.createFrom().item(false);
        }
        synchronized (entry) {
            RetryState stored = entry.state;
            if (stored.status().isFinished()) {
                entry.state = withLateAttempt(stored, retry);
                return Uni.createFrom().item(false);
            }
            entry.state = retry;
        }
        if (retry.status().isFinished()) {
            finished(entry);
        }
        return Uni.createFrom().item(true);
    }

    @Override
    public Uni<Cancellation> cancel(UUID requestId, Instant at) {
        Optional<Entry> found = entry(requestId);
        if (found.isEmpty()) {
            return Uni.createFrom().item(new Cancellation.NotFound());
        }
        Entry entry = found.get();
        RetryRecord cancelled;
        synchronized (entry) {
            RetryState stored = entry.state;
            if (stored.status().isFinished()) {
                return Uni.createFrom().item(new Cancellation.AlreadyFinished(stored.record()));
            }
            RetryRecord before = stored.record();
            cancelled = new RetryRecord(before.requestId(), before.actionId(), before.originalRunId(),
                    before.flatten(), RetryStatus.CANCELLED, before.attempts(), null, before.result(), before.runId(),
                    before.lastError(),
                    before.acceptedAt(), at);
            entry.state = new RetryState(cancelled, stored.payload(), stored.deadline(), stored.attemptsUsed(), 0, null);
        }
        finished(entry);
        return Uni.createFrom().item(new Cancellation.Cancelled(cancelled));
    }

    /** Forgets the retries that finished before {@code cutoff}. */
    @Override
    public Uni<Long> purge(Instant cutoff) {
        long forgotten = 0;
        Entry oldest;
        while ((oldest = finishedOldestFirst.peek()) != null && !oldest.record().completedAt().isAfter(cutoff)) {
            forgetOldestFinished();
            forgotten++;
        }
        return Uni.createFrom().item(forgotten);
    }

    /** A retry reached a terminal status: its retention clock starts, and the oldest finished may have to go. */
    private void finished(Entry entry) {
        finishedOldestFirst.add(entry);
        if (finishedCount.incrementAndGet() > config.retentionMaxRecords()) {
            forgetOldestFinished();
        }
    }

    private void forgetOldestFinished() {
        Entry oldest = finishedOldestFirst.poll();
        if (oldest == null) {
            return;
        }
        finishedCount.decrementAndGet();
        byId.remove(oldest.record().requestId(), oldest);
        newestFirst.remove(oldest.place, oldest);
        byKey.remove(oldest.key(), oldest);
    }

    /** A cancelled retry keeps its status; the attempt that was on the wire when it was cancelled goes on its record. */
    private static RetryState withLateAttempt(RetryState stored, RetryState late) {
        RetryRecord was = stored.record();
        RetryRecord now = late.record();
        RetryRecord record = new RetryRecord(was.requestId(), was.actionId(), was.originalRunId(), was.flatten(), was.status(),
                now.attempts(), was.nextAttemptAt(), now.result(), now.runId(), was.lastError(), was.acceptedAt(),
                was.completedAt());
        return new RetryState(record, stored.payload(), stored.deadline(), late.attemptsUsed(), 0, null);
    }

    private Optional<Entry> holder(String actionId, String originalRunId) {
        return Optional.ofNullable(byKey.get(new Key(actionId, originalRunId))).filter(InMemoryRetryStore::holdsKey);
    }

    private Optional<Entry> entry(UUID requestId) {
        return Optional.ofNullable(byId.get(requestId));
    }

    /** Retries newest first that match the query, after its cursor: whether that retry is still kept or not. */
    private Stream<Entry> matching(RetryQuery query) {
        NavigableMap<RetryQuery.Cursor, Entry> from = query.after()
                .map(cursor -> newestFirst.tailMap(cursor, false)).orElse(newestFirst);
        return from.values().stream().filter(entry -> query.matches(entry.record()));
    }

    @Override
    public Uni<Map<RetryStatus, Long>> countByStatus() {
        // plain counters: the overview asks every few seconds and this reads every record
        long[] perStatus = new long[RetryStatus.values().length];
        for (Entry entry : byId.values()) {
            perStatus[entry.record().status().ordinal()]++;
        }
        Map<RetryStatus, Long> counts = new EnumMap<>(RetryStatus.class);
        for (RetryStatus status : RetryStatus.values()) {
            if (perStatus[status.ordinal()] > 0) {
                counts.put(status, perStatus[status.ordinal()]);
            }
        }
        return Uni.createFrom().item(counts);
    }

    @Override
    public Uni<List<FailureGroup>> failureGroups(int limit) {
        Map<Family, List<RetryRecord>> groups = new HashMap<>();
        byId.values().forEach(entry -> {
            RetryRecord retry = entry.record();
            boolean failing = FailureGroup.DEAD.contains(retry.status())
                    || FailureGroup.UNFINISHED.contains(retry.status());
            if (failing && retry.lastError() != null) {
                groups.computeIfAbsent(new Family(retry.actionId(), retry.lastError().code()),
                        family -> new ArrayList<>()).add(retry);
            }
        });
        return Uni.createFrom().item(groups.values().stream().map(InMemoryRetryStore::group)
                .sorted(Comparator.comparing(FailureGroup::lastSeen).reversed()
                        .thenComparing(FailureGroup::actionId)
                        .thenComparing(FailureGroup::code, Comparator.nullsLast(Comparator.naturalOrder())))
                .limit(limit).toList());
    }

    /** A group's sample is its retry last seen; of those seen at the same instant, the first one a listing shows. */
    private static FailureGroup group(List<RetryRecord> retries) {
        RetryRecord newest = retries.stream().max(Comparator.comparing(InMemoryRetryStore::lastSeen)
                .thenComparing(RetryQuery.Cursor::of, RetryQuery.Cursor.NEWEST_FIRST.reversed())).orElseThrow();
        long dead = retries.stream().filter(retry -> FailureGroup.DEAD.contains(retry.status())).count();
        Instant firstSeen = retries.stream().map(RetryRecord::acceptedAt).min(Comparator.naturalOrder()).orElseThrow();
        return new FailureGroup(newest.actionId(), newest.lastError().code(), dead, retries.size() - dead, firstSeen,
                lastSeen(newest), newest.lastError().message());
    }

    /** When a retry was last attempted, or accepted when it never was. */
    private static Instant lastSeen(RetryRecord retry) {
        return retry.attempts().isEmpty() ? retry.acceptedAt() : retry.attempts().getLast().startedAt();
    }

    @Override
    public Uni<List<AttemptCount>> attemptsPerMinute(Instant since) {
        // plain loops and counters: the overview asks every few seconds and this reads every attempt of every record
        int outcomes = AttemptOutcome.values().length;
        Map<Long, long[]> perMinute = new TreeMap<>();
        for (Entry entry : byId.values()) {
            for (Attempt attempt : entry.record().attempts()) {
                if (attempt.startedAt().isBefore(since)) {
                    continue;
                }
                long minute = Math.floorDiv(attempt.startedAt().getEpochSecond(), 60);
                perMinute.computeIfAbsent(minute, any -> new long[outcomes])[attempt.outcome().ordinal()]++;
            }
        }
        List<AttemptCount> counts = new ArrayList<>();
        perMinute.forEach((minute, perOutcome) -> {
            for (AttemptOutcome outcome : AttemptOutcome.values()) {
                if (perOutcome[outcome.ordinal()] > 0) {
                    counts.add(new AttemptCount(Instant.ofEpochSecond(minute * 60), outcome,
                            perOutcome[outcome.ordinal()]));
                }
            }
        });
        return Uni.createFrom().item(counts);
    }

    private static StoredSubmission submissionOf(Entry entry) {
        RetryState state = entry.state;
        return new StoredSubmission(state.record(), state.payload());
    }

    private static boolean holdsKey(Entry entry) {
        return !entry.record().status().allowsRedrive();
    }
}
