package dev.dataaction.retry.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads submitted retries from JSON and reports every invalid field at once. Type errors are found here, because a
 * binding library stops at the first; the value rules live as constraints on {@link RetryRequest}. Problems never quote
 * the submitted content: it may be personal data.
 */
@ApplicationScoped
class RetryRequestReader {

    /** Either a valid request or the list of what is wrong with it. */
    sealed interface Reading {
        /** @param payloadBytes the payload's size in UTF-8 bytes, for the audit trail */
        record Valid(RetryRequest request, int payloadBytes) implements Reading {
        }

        record Invalid(List<Problem.FieldError> errors) implements Reading {
        }
    }

    private final ObjectReader strictReader;
    private final Validator validator;

    RetryRequestReader(ObjectMapper json, Validator validator) {
        // content after the first JSON value makes the body malformed, not ignored
        this.strictReader = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.validator = validator;
    }

    /** Parses a request body; malformed JSON is a 400 problem. */
    JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "The request body is empty."));
        }
        try {
            JsonNode parsed = strictReader.readTree(body);
            return parsed == null ? NullNode.getInstance() : parsed;
        } catch (JsonProcessingException malformed) {
            JsonLocation at = malformed.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ProblemException(
                    Problem.of(ProblemType.INVALID_REQUEST, "The request body is not valid JSON" + where + "."));
        }
    }

    /** Reads one retry request; {@code fieldPrefix} locates it inside a batch (empty for a single request). */
    Reading read(JsonNode node, String fieldPrefix) {
        if (node == null || !node.isObject()) {
            return new Reading.Invalid(List.of(new Problem.FieldError(fieldPrefix.isEmpty() ? "$" : fieldPrefix,
                    "must be a JSON object with actionId, originalRunId and requestPayload")));
        }
        Map<String, String> errors = new TreeMap<>();
        String actionId = text(node, "actionId", errors);
        String originalRunId = text(node, "originalRunId", errors);
        ObjectNode payload = null;
        JsonNode payloadNode = node.get("requestPayload");
        if (payloadNode != null && !payloadNode.isNull()) {
            if (payloadNode.isObject()) {
                payload = (ObjectNode) payloadNode;
            } else {
                errors.put("requestPayload", "must be a JSON object");
            }
        }
        RetryRequest request = new RetryRequest(actionId, originalRunId, payload);
        for (ConstraintViolation<RetryRequest> violation : validator.validate(request)) {
            errors.merge(violation.getPropertyPath().toString(), violation.getMessage(), RetryRequestReader::both);
        }
        if (errors.isEmpty()) {
            return new Reading.Valid(request, payload.toString().getBytes(StandardCharsets.UTF_8).length);
        }
        List<Problem.FieldError> fieldErrors = new ArrayList<>(errors.size());
        errors.forEach((field, message) -> fieldErrors.add(new Problem.FieldError(
                fieldPrefix.isEmpty() ? field : fieldPrefix + "." + field, message)));
        return new Reading.Invalid(fieldErrors);
    }

    /** A string field; a value of another type is recorded as an error and read as absent. */
    private static String text(JsonNode node, String field, Map<String, String> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.put(field, "must be a string");
            return null;
        }
        return value.textValue();
    }

    /** Keeps a type error alone (a missing value that was really of the wrong type is not also "required"). */
    private static String both(String first, String second) {
        if (first.equals("must be a string") || first.equals("must be a JSON object")) {
            return first;
        }
        return first.compareTo(second) <= 0 ? first + "; " + second : second + "; " + first;
    }
}
