package dev.dataaction.retry.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
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

import dev.dataaction.retry.pipeline.RetryEvent;

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
    private final Event<RetryEvent> events;

    RetryRequestReader(ObjectMapper json, Validator validator, Event<RetryEvent> events) {
        // content after the first JSON value makes the body malformed, not ignored
        this.strictReader = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.validator = validator;
        this.events = events;
    }

    /** Parses a request body; malformed JSON is a 400 problem. */
    JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw malformed("The request body is empty.");
        }
        try {
            JsonNode parsed = strictReader.readTree(body);
            return parsed == null ? NullNode.getInstance() : parsed;
        } catch (JsonProcessingException malformed) {
            JsonLocation at = malformed.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw malformed("The request body is not valid JSON" + where + ".");
        }
    }

    private ProblemException malformed(String detail) {
        events.fire(new RetryEvent.Invalid(List.of("$")));
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail));
    }

    /**
     * Reads one retry request; {@code fieldPrefix} locates it inside a batch (empty for a single request). An invalid one
     * is told, by the names of its invalid fields only, to the audit trail and the metrics.
     */
    Reading read(JsonNode node, String fieldPrefix) {
        Reading reading = readFields(node, fieldPrefix);
        if (reading instanceof Reading.Invalid invalid) {
            events.fire(new RetryEvent.Invalid(invalid.errors().stream().map(Problem.FieldError::field).toList()));
        }
        return reading;
    }

    private Reading readFields(JsonNode node, String fieldPrefix) {
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
        RetryRequest request = new RetryRequest(actionId, originalRunId, payload, flag(node, "flatten", errors));
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

    /** An optional boolean field; a value of another type is recorded as an error. */
    private static Boolean flag(JsonNode node, String field, Map<String, String> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            errors.put(field, "must be true or false");
            return null;
        }
        return value.booleanValue();
    }

    /** Keeps a type error alone (a missing value that was really of the wrong type is not also "required"). */
    private static String both(String first, String second) {
        if (first.equals("must be a string") || first.equals("must be a JSON object")) {
            return first;
        }
        return first.compareTo(second) <= 0 ? first + "; " + second : second + "; " + first;
    }
}
