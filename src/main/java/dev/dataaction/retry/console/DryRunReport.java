package dev.dataaction.retry.console;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.pipeline.DryRuns;
import dev.dataaction.retry.store.LastError;

/**
 * A dry run as the retry's page shows it: Genesys' verdict, its steps, and the output the action would give.
 *
 * @param summary one sentence: what Genesys said, or why it said nothing
 * @param finalResult the output, pretty-printed; null when the action did not succeed
 */
public record DryRunReport(boolean success, String summary, List<Step> steps, String finalResult) {

    /** One step of Genesys' execution; {@code error} is its error's message, null when it succeeded. */
    public record Step(int number, String name, boolean success, String error) {
    }

    static DryRunReport of(DryRuns.Outcome.Reported reported, ObjectMapper json) {
        JsonNode report = reported.report() == null ? json.createObjectNode() : reported.report();
        boolean success = report.path("success").asBoolean(false);
        List<Step> steps = new ArrayList<>();
        for (JsonNode step : report.path("operations")) {
            steps.add(new Step(step.path("step").asInt(steps.size() + 1), step.path("name").asText(""),
                    step.path("success").asBoolean(false), message(step.path("error"))));
        }
        String summary = success ? "The action succeeded in " + reported.durationMs() + " ms."
                : "The action failed: " + (message(report.path("error")) == null ? "Genesys gave no reason."
                        : message(report.path("error")));
        JsonNode result = report.path("finalResult");
        return new DryRunReport(success, summary, steps, success && !result.isMissingNode() && !result.isNull()
                ? Pages.json(json, result)
                : null);
    }

    static DryRunReport of(DryRuns.Outcome.Refused refused) {
        LastError error = refused.error();
        return new DryRunReport(false, "Genesys refused the dry run: HTTP " + refused.httpStatus()
                + (error.code() == null ? "" : " " + error.code()) + ", " + error.message()
                + (error.contextId() == null ? "" : " (context id " + error.contextId() + ")") + ".", List.of(), null);
    }

    static DryRunReport of(DryRuns.Outcome.Unanswered unanswered) {
        return new DryRunReport(false, "No answer from Genesys: " + unanswered.reason().message() + ".", List.of(),
                null);
    }

    /** An error body's message, else its code; null for no error. */
    private static String message(JsonNode error) {
        if (error.isMissingNode() || error.isNull()) {
            return null;
        }
        String message = error.path("message").asText("");
        return message.isEmpty() ? error.path("code").asText(error.toString()) : message;
    }
}
