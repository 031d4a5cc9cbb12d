package dev.dataaction.retry.ingest;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import dev.dataaction.retry.store.RetryRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The answer to {@code POST /v1/retries/batch}: one entry per submitted item, in input order. */
@RegisterForReflection // returned by resources, which Quarkus registers itself; explicit so that a Response cannot lose it
public record BatchResults(List<Item> results) {

    /** What happened to one item. */
    public enum Outcome {
        /** A new retry was accepted. */
        ACCEPTED,
        /** A retry with the same idempotency key exists; {@code retry} is that one. */
        DUPLICATE,
        /** The item was not accepted; {@code problem} says why. */
        REJECTED;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param index the item's position in the submitted array
     * @param retry the record, unless the item was rejected
     * @param problem why the item was rejected
     */
    @RegisterForReflection // part of BatchResults
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(int index, Outcome outcome, RetryRecord retry, Problem problem) {
    }
}
