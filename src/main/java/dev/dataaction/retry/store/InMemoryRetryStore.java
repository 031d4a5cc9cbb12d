package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps retries in memory: nothing survives a restart. Finished retries are forgotten after
 * {@code orchestrator.retention}, and beyond {@code orchestrator.retention-max-records} the oldest finished ones go first,
 * so memory stays bounded whatever the traffic.
 */
@ApplicationScoped
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
    public Optional<Retry> holderOf(String actionId, String originalRunId) {
        return Optional.ofNullable(byKey.get(new Key(actionId, originalRunId))).filter(InMemoryRetryStore::holdsKey);
    }

    @Override
    public Retry add(Retry candidate) {
        Retry holder = byKey.compute(new Key(candidate.actionId(), candidate.originalRunId()),
                (key, existing) -> existing != null && holdsKey(existing) ? existing : candidate);
        if (holder == candidate) {
            long seq = sequence.incrementAndGet();
            byId.put(candidate.requestId(), new Entry(seq, candidate));
            newestFirst.put(-seq, candidate);
        }
        return holder;
    }

    @Override
    public Optional<Retry> find(UUID requestId) {
        return Optional.ofNullable(byId.get(requestId)).map(Entry::retry);
    }

    @Override
    public List<RetryRecord> list(RetryQuery query) {
        List<RetryRecord> page = new ArrayList<>(Math.min(query.limit(), 64));
        for (Retry retry : newestFirst.values()) {
            if (page.size() >= query.limit()) {
                break;
            }
            if (query.actionId().map(retry.actionId()::equals).orElse(true)
                    && query.status().map(status -> status == retry.status()).orElse(true)) {
                page.add(retry.snapshot());
            }
        }
        return page;
    }

    @Override
    public List<Retry> unfinished() {
        return newestFirst.values().stream().filter(retry -> !retry.status().isFinished()).toList();
    }

    @Override
    public void finished(Retry retry) {
        finishedOldestFirst.add(retry);
        if (finishedCount.incrementAndGet() > config.retentionMaxRecords()) {
            forgetOldestFinished();
        }
    }

    /** Forgets finished retries that are past their retention. */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        Instant cutoff = Instant.now().minus(config.retention());
        Retry oldest;
        while ((oldest = finishedOldestFirst.peek()) != null && !oldest.completedAt().isAfter(cutoff)) {
            forgetOldestFinished();
        }
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

    private static boolean holdsKey(Retry retry) {
        return !retry.status().allowsRedrive();
    }
}
