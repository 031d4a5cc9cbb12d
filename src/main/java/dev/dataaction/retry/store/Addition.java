package dev.dataaction.retry.store;

/** What the store made of a new retry. */
public sealed interface Addition {

    /** Stored (and, with a durable store, committed). */
    record Added(RetryRecord retry) implements Addition {
    }

    /** Another retry holds the idempotency key; nothing was stored. */
    record Duplicate(RetryRecord holder) implements Addition {
    }

    /** The cluster-wide backlog is full ({@code orchestrator.queue.max-backlog}); nothing was stored. */
    record BacklogFull(int maxBacklog) implements Addition {
    }
}
