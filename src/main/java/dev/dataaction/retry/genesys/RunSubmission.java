package dev.dataaction.retry.genesys;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of the run-submission contract ({@code genesys.mode=runs}). */
@RegisterForReflection // written with Jackson by GenesysGateway, out of Quarkus' sight
record RunSubmission(JsonNode payload, Metadata metadata) {

    /** Lets the gateway behind the contract tie a run to the execution it repeats. */
    @RegisterForReflection // part of RunSubmission
    record Metadata(String originalRunId, int retryAttempt, String requestId) {
    }
}
