package dev.dataaction.retry.genesys;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of the run-submission contract ({@code genesys.mode=runs}). */
@RegisterForReflection
record RunSubmission(JsonNode payload, Metadata metadata) {

    /** Lets the gateway behind the contract tie a run to the execution it repeats. */
    @RegisterForReflection
    record Metadata(String originalRunId, int retryAttempt, String requestId) {
    }
}
