package dev.dataaction.retry.pipeline;

/** Why a submission was not accepted. */
public enum RejectionReason {
    /** It failed validation. */
    INVALID,
    /** This instance's queue, or the cluster's backlog, is full. */
    QUEUE_FULL,
    /** The instance is shutting down. */
    SHUTTING_DOWN,
    /** The store did not answer. */
    STORE_UNAVAILABLE
}
