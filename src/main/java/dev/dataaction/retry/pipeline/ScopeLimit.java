package dev.dataaction.retry.pipeline;

/**
 * The limits of one scope (the whole service, or one action) on this instance: attempts on the wire at once, and
 * attempts started per second, each adapted to Genesys' answers by additive increase and multiplicative decrease (AIMD).
 * <p>
 * A 429 halves the effective concurrency, never below 1, when more than half of it was in use (a scope without a limit
 * of its own halves what was on the wire): a 429 while little was on the wire is no sign that too much was. It also sets
 * the effective rate to half of what was started in the last second, unless that would be under
 * {@value #MIN_ADAPTED_RATE} a second. Each success raises them back by about one per round of attempts, up to the
 * configured values. A burst of 429s answering attempts that were all started before the first of them lowers the
 * limits once, not once each.
 * <p>
 * A plain function of the times it is given ({@link System#nanoTime()} in the service, any numbers in the tests), not
 * thread-safe: {@link AttemptGate} guards it.
 */
final class ScopeLimit {

    /** The concurrency of a scope without a limit of its own: more than any replica would ever hold. */
    static final int UNBOUNDED = 1 << 30;

    private static final long SECOND = 1_000_000_000L;
    /**
     * A 429 lowers the rate only when at least twice this many attempts started in the last second: at a slower pace
     * this service's volume is not what Genesys limits, and the Retry-After hold and the concurrency answer it.
     */
    static final double MIN_ADAPTED_RATE = 5;
    /** The starts of the last second are counted in tenths of it. */
    private static final int SLOTS = 10;
    private static final long SLOT = SECOND / SLOTS;

    private int maxConcurrent;
    private double concurrency;
    /** Configured starts per second; infinite when unset. */
    private double maxRate = Double.POSITIVE_INFINITY;
    /** Effective starts per second; infinite until a 429 gives a reason to limit it. */
    private double rate = Double.POSITIVE_INFINITY;
    private double tokens;
    private long refilledAt;
    private final long[] starts = new long[SLOTS];
    private long slotOfLastStart;
    /** Attempts started before this moment do not lower the limits again. */
    private long lowered = Long.MIN_VALUE;
    private int inFlight;

    ScopeLimit(int maxConcurrent, double maxRate, long now) {
        this.refilledAt = now;
        this.slotOfLastStart = Math.floorDiv(now, SLOT) - SLOTS;
        configure(maxConcurrent, maxRate);
        this.tokens = burst();
    }

    /**
     * Sets the configured limits (this instance's share of them). The effective ones follow a change of ceiling at
     * once when they were at the ceiling, and never stay above it.
     *
     * @param maxRate starts per second; {@link Double#POSITIVE_INFINITY} for none
     */
    void configure(int maxConcurrent, double maxRate) {
        concurrency = concurrency >= this.maxConcurrent ? maxConcurrent : Math.min(concurrency, maxConcurrent);
        rate = rate >= this.maxRate ? maxRate : Math.min(rate, maxRate);
        this.maxConcurrent = maxConcurrent;
        this.maxRate = maxRate;
        tokens = Math.min(tokens, burst());
    }

    /** Attempts on the wire at once, as adapted: between 1 and the configured value (0 only when that is 0). */
    int effectiveConcurrency() {
        return maxConcurrent == 0 ? 0 : Math.max(1, (int) concurrency);
    }

    /** Starts per second, as adapted; infinite when nothing limits them. */
    double effectiveRate() {
        return rate;
    }

    int maxConcurrent() {
        return maxConcurrent;
    }

    double maxRate() {
        return maxRate;
    }

    int inFlight() {
        return inFlight;
    }

    /** Whether every slot is taken: only an attempt that ends lets another start. */
    boolean full() {
        return inFlight >= effectiveConcurrency();
    }

    /** Whether an attempt may start at {@code now}. */
    boolean canStart(long now) {
        return inFlight < effectiveConcurrency() && tokensAt(now) >= 1;
    }

    /** How long until the rate lets the next attempt start; 0 when it lets one now. */
    long nanosUntilToken(long now) {
        double missing = 1 - tokensAt(now);
        return missing <= 0 ? 0 : (long) Math.ceil(missing / rate * SECOND);
    }

    /** An attempt starts: it takes a slot and, when the rate is limited, a token. */
    void start(long now) {
        inFlight++;
        if (rate != Double.POSITIVE_INFINITY) {
            tokens = tokensAt(now) - 1;
            refilledAt = now;
        }
        count(now);
    }

    /** An attempt ended: its slot is free. */
    void end() {
        inFlight--;
    }

    /** Genesys answered 429 to an attempt started at {@code startedAt}. */
    void rateLimited(long startedAt, long now) {
        if (startedAt < lowered) {
            return;
        }
        lowered = now;
        if (maxConcurrent >= UNBOUNDED) {
            // without a limit of its own (an action), what was on the wire is what is halved
            concurrency = Math.max(1, inFlight / 2.0);
        } else if (2 * inFlight > effectiveConcurrency()) {
            concurrency = Math.max(1, effectiveConcurrency() / 2.0);
        }
        double started = Math.min(rate, startsInLastSecond(now));
        if (started >= 2 * MIN_ADAPTED_RATE) {
            tokens = tokensAt(now);
            refilledAt = now;
            rate = started / 2;
            tokens = Math.min(tokens, burst());
        }
    }

    /** Genesys executed an attempt: the limits grow back by about one per round of attempts. */
    void succeeded() {
        if (concurrency < maxConcurrent) {
            concurrency = Math.min(maxConcurrent, concurrency + 1 / Math.max(1, concurrency));
        }
        if (rate < maxRate) {
            rate = Math.min(maxRate, rate + 1 / Math.max(1, rate));
        }
    }

    /** Tokens a limited rate keeps at most: a twentieth of a second's worth, so that no one second sees much more. */
    private double burst() {
        return rate == Double.POSITIVE_INFINITY ? 1 : Math.max(1, rate / 20);
    }

    private double tokensAt(long now) {
        if (rate == Double.POSITIVE_INFINITY) {
            return 1;
        }
        return Math.min(burst(), tokens + (now - refilledAt) * rate / SECOND);
    }

    private void count(long now) {
        long slot = Math.floorDiv(now, SLOT);
        for (long stale = Math.max(slotOfLastStart + 1, slot - SLOTS + 1); stale <= slot; stale++) {
            starts[(int) Math.floorMod(stale, SLOTS)] = 0;
        }
        slotOfLastStart = Math.max(slotOfLastStart, slot);
        starts[(int) Math.floorMod(slot, SLOTS)]++;
    }

    private long startsInLastSecond(long now) {
        long slot = Math.floorDiv(now, SLOT);
        long total = 0;
        for (long counted = Math.max(slot - SLOTS + 1, slotOfLastStart - SLOTS + 1); counted <= slotOfLastStart
                && counted <= slot; counted++) {
            total += starts[(int) Math.floorMod(counted, SLOTS)];
        }
        return total;
    }
}
