package dev.dataaction.retry.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/** Reads the rows of the {@code retries} table into records, and writes the JSON columns. */
final class RetryRows {

    private static final TypeReference<List<Attempt>> ATTEMPTS = new TypeReference<>() {
    };

    private final ObjectMapper json;

    RetryRows(ObjectMapper json) {
        this.json = json;
    }

    RetryRecord record(Row row) {
        RetryStatus status = RetryStatus.valueOf(row.getString("status"));
        return new RetryRecord(row.getUUID("request_id"), row.getString("action_id"), row.getString("original_run_id"),
                row.getBoolean("flatten"), status,
                read(row.getString("attempts"), (json, text) -> json.readValue(text, ATTEMPTS)),
                status == RetryStatus.PENDING ? instant(row, "due_at") : null,
                read(row.getString("result"), ObjectMapper::readTree), row.getString("run_id"),
                read(row.getString("last_error"), (json, text) -> json.readValue(text, LastError.class)),
                instant(row, "accepted_at"), instant(row, "completed_at"));
    }

    StoredSubmission submission(Row row) {
        return new StoredSubmission(record(row), payload(row));
    }

    /** A retry with all an instance needs to drive it; an IN_FLIGHT one's attempt started at {@code due_at}. */
    RetryState state(Row row) {
        RetryRecord record = record(row);
        boolean inFlight = record.status() == RetryStatus.IN_FLIGHT;
        Integer attemptNumber = row.getInteger("attempt_number");
        return new RetryState(record, payload(row), instant(row, "deadline"), row.getInteger("attempts_used"),
                inFlight && attemptNumber != null ? attemptNumber : 0, inFlight ? instant(row, "due_at") : null);
    }

    private ObjectNode payload(Row row) {
        return read(row.getString("payload"), (json, text) -> (ObjectNode) json.readTree(text));
    }

    /** A JSON column's text; null for nothing, or for a JSON null. */
    String write(Object value) {
        if (value == null || value instanceof JsonNode node && node.isNull()) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException unwritable) {
            throw new IllegalStateException("A retry's state cannot be written as JSON", unwritable);
        }
    }

    /** Reads a JSON column's text. */
    private interface Reading<T> {
        T from(ObjectMapper json, String text) throws JsonProcessingException;
    }

    private <T> T read(String column, Reading<T> reading) {
        if (column == null) {
            return null;
        }
        try {
            return reading.from(json, column);
        } catch (JsonProcessingException corrupt) {
            throw new IllegalStateException("A stored retry holds JSON that cannot be read", corrupt);
        }
    }

    static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapping) {
        var found = rows.iterator();
        return found.hasNext() ? Optional.of(mapping.apply(found.next())) : Optional.empty();
    }

    static <T> List<T> all(RowSet<Row> rows, Function<Row, T> mapping) {
        List<T> mapped = new ArrayList<>(rows.size());
        rows.forEach(row -> mapped.add(mapping.apply(row)));
        return mapped;
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
