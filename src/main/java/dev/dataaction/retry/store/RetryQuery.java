package dev.dataaction.retry.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A filter over retries, newest first ({@code acceptedAt}, then {@code requestId}, descending), with a cursor for paging
 * that stays fast however many retries are stored.
 *
 * @param statuses the statuses wanted; empty for any
 * @param errorCode only retries whose {@code lastError.code} is this
 * @param acceptedFrom only retries accepted at or after this
 * @param acceptedBefore only retries accepted before this
 * @param after only retries that come after this one in the order: the next page
 */
public record RetryQuery(
        Set<RetryStatus> statuses,
        Optional<String> actionId,
        Optional<String> originalRunId,
        Optional<String> errorCode,
        Optional<Instant> acceptedFrom,
        Optional<Instant> acceptedBefore,
        Optional<Cursor> after,
        int limit) {

    /** Where a page ended: the last retry it showed. */
    public record Cursor(Instant acceptedAt, UUID requestId) {

        /**
         * The order of every listing: accepted last first, then the greater request id first, compared as PostgreSQL
         * compares uuids (byte by byte, unsigned; {@link UUID#compareTo} compares signed halves), so that every store
         * pages the same way.
         */
        public static final Comparator<Cursor> NEWEST_FIRST = Comparator.comparing(Cursor::acceptedAt)
                .thenComparing(Cursor::requestId, Cursor::compareUnsigned).reversed();

        public static Cursor of(RetryRecord last) {
            return new Cursor(last.acceptedAt(), last.requestId());
        }

        private static int compareUnsigned(UUID one, UUID other) {
            int high = Long.compareUnsigned(one.getMostSignificantBits(), other.getMostSignificantBits());
            return high != 0 ? high : Long.compareUnsigned(one.getLeastSignificantBits(), other.getLeastSignificantBits());
        }
    }

    public RetryQuery {
        statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
    }

    /** Retries of one status, or any, of one action, or any. */
    public RetryQuery(Optional<RetryStatus> status, Optional<String> actionId, int limit) {
        this(status.map(Set::of).orElse(Set.of()), actionId, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), limit);
    }

    /** The newest retries, up to {@code limit}. */
    public static RetryQuery newest(int limit) {
        return new RetryQuery(Optional.empty(), Optional.empty(), limit);
    }

    public RetryQuery withStatuses(Set<RetryStatus> wanted) {
        return new RetryQuery(wanted, actionId, originalRunId, errorCode, acceptedFrom, acceptedBefore, after, limit);
    }

    public RetryQuery withActionId(Optional<String> wanted) {
        return new RetryQuery(statuses, wanted, originalRunId, errorCode, acceptedFrom, acceptedBefore, after, limit);
    }

    public RetryQuery withOriginalRunId(Optional<String> wanted) {
        return new RetryQuery(statuses, actionId, wanted, errorCode, acceptedFrom, acceptedBefore, after, limit);
    }

    public RetryQuery withErrorCode(Optional<String> wanted) {
        return new RetryQuery(statuses, actionId, originalRunId, wanted, acceptedFrom, acceptedBefore, after, limit);
    }

    public RetryQuery withAccepted(Optional<Instant> from, Optional<Instant> before) {
        return new RetryQuery(statuses, actionId, originalRunId, errorCode, from, before, after, limit);
    }

    public RetryQuery withAfter(Optional<Cursor> cursor) {
        return new RetryQuery(statuses, actionId, originalRunId, errorCode, acceptedFrom, acceptedBefore, cursor, limit);
    }

    public RetryQuery withLimit(int wanted) {
        return new RetryQuery(statuses, actionId, originalRunId, errorCode, acceptedFrom, acceptedBefore, after, wanted);
    }

    /** Whether a retry passes every filter but the cursor, which a store applies to its own order. */
    public boolean matches(RetryRecord retry) {
        return (statuses.isEmpty() || statuses.contains(retry.status()))
                && actionId.map(retry.actionId()::equals).orElse(true)
                && originalRunId.map(retry.originalRunId()::equals).orElse(true)
                && errorCode.map(code -> retry.lastError() != null && code.equals(retry.lastError().code())).orElse(true)
                && acceptedFrom.map(from -> !retry.acceptedAt().isBefore(from)).orElse(true)
                && acceptedBefore.map(retry.acceptedAt()::isBefore).orElse(true);
    }
}
