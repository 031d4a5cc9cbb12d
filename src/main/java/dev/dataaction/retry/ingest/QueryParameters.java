package dev.dataaction.retry.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.dataaction.retry.store.RetryQuery;
import dev.dataaction.retry.store.RetryStatus;

/** The query parameters of a listing or a bulk redrive, read as text so that every invalid one can be named. */
final class QueryParameters {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** The {@code limit} parameter, as the API documents it. */
    static final String LIMIT = "At most this many, 1 to " + MAX_LIMIT + "; default " + DEFAULT_LIMIT;

    private QueryParameters() {
    }

    /**
     * @param redrive whether the query picks retries to redrive: its status is then required, and one that allows it
     * @throws ProblemException 400, naming every invalid parameter
     */
    static RetryQuery read(String status, String actionId, String limit, boolean redrive) {
        List<Problem.FieldError> errors = new ArrayList<>();
        Optional<RetryStatus> wanted = Optional.empty();
        if (status != null && !status.isBlank()) {
            try {
                wanted = Optional.of(RetryStatus.valueOf(status.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException unknown) {
                errors.add(new Problem.FieldError("status", "must be one of " + List.of(RetryStatus.values())));
            }
        }
        if (redrive && wanted.map(known -> !known.allowsRedrive()).orElse(errors.isEmpty())) {
            errors.add(new Problem.FieldError("status", "must be FAILED, EXHAUSTED or CANCELLED"));
        }
        int max = DEFAULT_LIMIT;
        if (limit != null && !limit.isBlank()) {
            try {
                max = Integer.parseInt(limit.trim());
            } catch (NumberFormatException notANumber) {
                max = -1;
            }
            if (max < 1 || max > MAX_LIMIT) {
                errors.add(new Problem.FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid("The query has invalid parameters.", errors));
        }
        return new RetryQuery(wanted, Optional.ofNullable(actionId).filter(id -> !id.isBlank()), max);
    }
}
