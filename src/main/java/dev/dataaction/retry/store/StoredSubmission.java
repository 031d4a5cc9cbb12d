package dev.dataaction.retry.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored retry together with the payload it was submitted with, so that it can be redriven. */
public record StoredSubmission(RetryRecord retry, ObjectNode payload) {
}
