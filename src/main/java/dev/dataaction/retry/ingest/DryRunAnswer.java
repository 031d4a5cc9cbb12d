package dev.dataaction.retry.ingest;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.dataaction.retry.pipeline.DryRuns;
import dev.dataaction.retry.store.RetryRecord;

/**
 * What {@code POST /v1/retries/{id}/test} answers: Genesys' report of the dry run, as Genesys gave it, with the retry it
 * ran. {@code finalResult} is the action's output, personal data as much as the payload is.
 *
 * @param durationMs how long Genesys took to answer
 * @param success whether the action succeeded, as Genesys reports it
 * @param operations the steps Genesys took, each with {@code step}, {@code name}, {@code success}, {@code result} and
 *        {@code error}
 * @param finalResult the output the action would give, when it succeeded
 * @param error Genesys' error body, when it failed
 */
public record DryRunAnswer(UUID requestId, String actionId, boolean flatten, long durationMs, boolean success,
        JsonNode operations, JsonNode finalResult, JsonNode error) {

    static DryRunAnswer of(DryRuns.Outcome.Reported reported) {
        RetryRecord retry = reported.retry();
        JsonNode report = reported.report() == null ? MissingNode.getInstance() : reported.report();
        return new DryRunAnswer(retry.requestId(), retry.actionId(), retry.flatten(), reported.durationMs(),
                report.path("success").asBoolean(false), present(report.get("operations")),
                present(report.get("finalResult")), present(report.get("error")));
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }
}
