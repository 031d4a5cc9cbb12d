package dev.dataaction.retry.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

    private record Entry(long sequence, Retry retry) {
    }

    private final OrchestratorConfig config;
    private final ConcurrentHashMap<UUID, Entry> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Retry> byKey = new ConcurrentHashMap<>();
    /** Newest first: keyed by the negated acceptance sequence. */
    private final ConcurrentSkipListMap<Long, Retry> newestFirst = new ConcurrentSkipListMap<>();
    /** Finished retries in the order they finished, for retention. */
    private final Queue<Retry> finishedOldestFirst = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();

    InMemoryRetryStore(OrchestratorConfig config) {
        this.config = config;
    }

    @Override
    public boolean sharesWork() {
        return false;
    }

    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public Uni<Optional<RetryRecord>> holderOf(String actionId, String originalRunId) {
        return Uni.createFrom().item(holder(actionId, originalRunId).map(Retry::snapshot));
    }

    @Override
    public Uni<Addition> add(Retry candidate, boolean drivenHere) {
        Retry holder = byKey.compute(new Key(candidate.actionId(), candidate.originalRunId()),
                (key, existing) -> existing != null && holdsKey(existing) ? existing : candidate);
        if (holder != candidate) {
            return Uni.createFrom().item(new Addition.Held(holder.snapshot()));
        }
        long seq = sequence.incrementAndGet();
        byId.put(candidate.requestId(), new Entry(seq, candidate));
        newestFirst.put(-seq, candidate);
        return Uni.createFrom().item(new Addition.Added(candidate.snapshot()));
    }

    @Override
    public Uni<Optional<RetryRecord>> find(UUID requestId) {
        return Uni.createFrom().item(retry(requestId).map(Retry::snapshot));
    }

    @Override
    public Uni<List<RetryRecord>> list(RetryQuery query) {
        return Uni.createFrom().item(matching(query).limit(query.limit()).map(Retry::snapshot).toList());
    }

    @Override
    public Uni<Optional<StoredSubmission>> submission(UUID requestId) {
        return Uni.createFrom().item(retry(requestId).map(InMemoryRetryStore::submissionOf));
    }

    @Override
    public Uni<List<StoredSubmission>> redrivable(RetryQuery query) {
        Set<Key> seen = new HashSet<>();
        return Uni.createFrom().item(matching(query)
                .filter(retry -> seen.add(new Key(retry.actionId(), retry.originalRunId())))
                .filter(retry -> holder(retry.actionId(), retry.originalRunId()).isEmpty())
                .limit(query.limit()).map(InMemoryRetryStore::submissionOf).toList());
    }

    /** The retry objects are the store: what the pipeline changed is already here. */
    @Override
    public Uni<Boolean> save(Retry retry, boolean keep) {
        return Uni.createFrom().item(true);
    }

    @Override
    public Uni<Cancellation> cancel(UUID requestId, Instant at) {
        Optional<Retry> found = retry(requestId);
        if (found.isEmpty()) {
            return Uni.createFrom().item(new Cancellation.NotFound());
        }
        Retry retry = found.get();
        if (retry.cancel(at).isFinished()) {
            return Uni.createFrom().item(new Cancellation.AlreadyFinished(retry.snapshot()));
        }
        finished(retry);
        return Uni.createFrom().item(new Cancellation.Cancelled(retry.snapshot()));
    }

    /** Every unfinished retry is driven by this instance from its acceptance: there is nothing to claim. */
    @Override
    public Uni<List<Retry>> claim(int max, Duration ahead, Collection<UUID> drivenHere) {
        return Uni.createFrom().item(List.of());
    }

    /** Nothing can take over a retry kept in this process's memory. */
    @Override
    public Uni<Void> release(List<Retry> retries) {
        return Uni.createFrom().voidItem();
    }

    /** Nothing can take over a retry kept in this process's memory. */
    @Override
    public Uni<Void> leave(List<Retry> waiting) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public void finished(Retry retry) {
        finishedOldestFirst.add(retry);
        if (finishedCount.incrementAndGet() > config.retentionMaxRecords()) {
            forgetOldestFinished();
        }
    }

    /** Forgets the retries that finished before {@code cutoff}. */
    @Override
    public Uni<Long> purge(Instant cutoff) {
        long forgotten = 0;
        Retry oldest;
        while ((oldest = finishedOldestFirst.peek()) != null && !oldest.completedAt().isAfter(cutoff)) {
            forgetOldestFinished();
            forgotten++;
        }
        return Uni.createFrom().item(forgotten);
    }

    private void forgetOldestFinished() {
        Retry oldest = finishedOldestFirst.poll();
        if (oldest == null) {
            return;
        }
        finishedCount.decrementAndGet();
        Entry entry = byId.remove(oldest.requestId());
        if (entry != null) {
            newestFirst.remove(-entry.sequence());
        }
        byKey.remove(new Key(oldest.actionId(), oldest.originalRunId()), oldest);
    }

    private Optional<Retry> holder(String actionId, String originalRunId) {
        return Optional.ofNullable(byKey.get(new Key(actionId, originalRunId))).filter(InMemoryRetryStore::holdsKey);
    }

    private Optional<Retry> retry(UUID requestId) {
        return Optional.ofNullable(byId.get(requestId)).map(Entry::retry);
    }

    /** Retries newest first, of the query's status and action. */
    private Stream<Retry> matching(RetryQuery query) {
        return newestFirst.values().stream()
                .filter(retry -> query.actionId().map(retry.actionId()::equals).orElse(true))
                .filter(retry -> query.status().map(status -> status == retry.status()).orElse(true));
    }

    private static StoredSubmission submissionOf(Retry retry) {
        return new StoredSubmission(retry.snapshot(), retry.payload());
    }

    private static boolean holdsKey(Retry retry) {
        return !retry.status().allowsRedrive();
    }
}
