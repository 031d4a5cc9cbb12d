package dev.dataaction.retry.ingest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataaction.retry.store.TrafficSettings;

/** Reads the bodies of the runtime controls, and their action ids, naming every field that is wrong. */
public final class ControlBodies {

    public static final int MAX_REASON = 500;
    private static final Pattern ACTION_ID = Pattern.compile(RetryRequest.ACTION_ID);
    private static final int MAX_ACTION_ID = 128;

    private ControlBodies() {
    }

    /** An action id in a path: the same rule as in a retry request. */
    public static String actionId(String actionId) {
        if (actionId == null || actionId.length() > MAX_ACTION_ID || !ACTION_ID.matcher(actionId).matches()) {
            throw invalid("The action id is invalid.", List.of(new Problem.FieldError("actionId",
                    "must be 1 to 128 letters, digits, '_' or '-'")));
        }
        return actionId;
    }

    /** {@code {"maxConcurrent": n, "maxPerSecond": r}}; a member that is null or absent returns to the configured value. */
    public static TrafficSettings.Limits limits(JsonNode body) {
        List<Problem.FieldError> errors = new ArrayList<>();
        object(body, Set.of("maxConcurrent", "maxPerSecond"), errors);
        Integer maxConcurrent = null;
        Double maxPerSecond = null;
        JsonNode concurrent = body.path("maxConcurrent");
        if (!concurrent.isMissingNode() && !concurrent.isNull()) {
            if (concurrent.isIntegralNumber() && concurrent.canConvertToInt() && concurrent.intValue() >= 1) {
                maxConcurrent = concurrent.intValue();
            } else {
                errors.add(new Problem.FieldError("maxConcurrent", "must be a whole number of at least 1, or null"));
            }
        }
        JsonNode perSecond = body.path("maxPerSecond");
        if (!perSecond.isMissingNode() && !perSecond.isNull()) {
            if (perSecond.isNumber() && perSecond.doubleValue() > 0 && Double.isFinite(perSecond.doubleValue())) {
                maxPerSecond = perSecond.doubleValue();
            } else {
                errors.add(new Problem.FieldError("maxPerSecond", "must be a number greater than 0, or null"));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid("The limits are invalid.", errors);
        }
        return new TrafficSettings.Limits(maxConcurrent, maxPerSecond);
    }

    /** An optional {@code {"reason": "..."}}: null when there is no body or no reason. */
    static String reason(JsonNode body) {
        if (body == null) {
            return null;
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        object(body, Set.of("reason"), errors);
        JsonNode reason = body.path("reason");
        String text = null;
        if (!reason.isMissingNode() && !reason.isNull()) {
            if (!reason.isTextual()) {
                errors.add(new Problem.FieldError("reason", "must be a string"));
            } else if (reason.textValue().length() > MAX_REASON) {
                errors.add(new Problem.FieldError("reason", "must be at most " + MAX_REASON + " characters"));
            } else {
                text = reason.textValue().isBlank() ? null : reason.textValue();
            }
        }
        if (!errors.isEmpty()) {
            throw invalid("The pause request is invalid.", errors);
        }
        return text;
    }

    private static void object(JsonNode body, Set<String> known, List<Problem.FieldError> errors) {
        if (!body.isObject()) {
            throw invalid("The body must be a JSON object.", List.of(new Problem.FieldError("$", "must be a JSON object")));
        }
        for (Iterator<String> fields = body.fieldNames(); fields.hasNext();) {
            String field = fields.next();
            if (!known.contains(field)) {
                String named = field.length() > 64 ? field.substring(0, 64) + "..." : field;
                errors.add(new Problem.FieldError(named, "is not a known field (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")"));
            }
        }
    }

    private static ProblemException invalid(String detail, List<Problem.FieldError> errors) {
        return new ProblemException(Problem.invalid(detail, errors));
    }
}
