package dev.dataaction.retry.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which refusals of one interval get a log line of their own: the first {@code perInterval}, so that a misconfigured
 * caller shows up at once; the rest are only counted and summed up when the interval ends, so that a flood of bad
 * requests costs a bounded number of lines. The interval is whatever lies between two calls of {@link #endInterval()}.
 */
final class RefusalLogLimit {

    /** How a refusal is logged. */
    enum Line {
        /** On a line of its own. */
        OWN,
        /** On a line of its own, the last one the interval allows. */
        LAST_OWN,
        /** Not on its own: counted into the interval's summary. */
        SUMMED_UP
    }

    private final int perInterval;
    private final AtomicLong inInterval = new AtomicLong();

    RefusalLogLimit(int perInterval) {
        if (perInterval < 1) {
            throw new IllegalArgumentException("perInterval must be at least 1, not " + perInterval);
        }
        this.perInterval = perInterval;
    }

    /** Counts one refusal and says how it is logged. */
    Line refused() {
        long number = inInterval.incrementAndGet();
        if (number < perInterval) {
            return Line.OWN;
        }
        return number == perInterval ? Line.LAST_OWN : Line.SUMMED_UP;
    }

    /** Ends the interval: how many of its refusals were summed up rather than logged on their own. */
    long endInterval() {
        return Math.max(0, inInterval.getAndSet(0) - perInterval);
    }
}
