package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The limits of one scope as a plain function of the nanoseconds it is given: slots taken and freed, a 429 halving what
 * is allowed (once per burst), successes growing it back by about one per round up to the configured value, and the
 * rate's token bucket. No clock runs: every instant is a number the test chooses.
 */
class ScopeLimitTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    /** What "no limit" is for a scope: as the gate configures an action without one. */
    private static final int UNBOUNDED = ScopeLimit.UNBOUNDED;
    private static final double UNLIMITED = Double.POSITIVE_INFINITY;

    @Test
    void attemptsTakeSlotsUpToTheConfiguredConcurrencyAndAnEndedOneFreesItsSlot() {
        ScopeLimit limit = new ScopeLimit(2, UNLIMITED, 0);

        assertThat(limit.canStart(0)).isTrue();
        limit.start(0);
        assertThat(limit.full()).isFalse();
        limit.start(0);

        // both slots taken: a third attempt waits, however long, until one ends
        assertThat(limit.full()).isTrue();
        assertThat(limit.canStart(0)).isFalse();
        assertThat(limit.canStart(60 * SECOND)).isFalse();
        assertThat(limit.inFlight()).isEqualTo(2);

        limit.end();
        assertThat(limit.full()).isFalse();
        assertThat(limit.canStart(60 * SECOND)).isTrue();
        assertThat(limit.inFlight()).isEqualTo(1);
    }

    @Test
    void aScopeConfiguredToNoSlotsLetsNothingStart() {
        // a replica whose share of an action's max-concurrent is 0
        ScopeLimit limit = new ScopeLimit(0, UNLIMITED, 0);

        assertThat(limit.effectiveConcurrency()).isZero();
        assertThat(limit.full()).isTrue();
        assertThat(limit.canStart(SECOND)).isFalse();
    }

    @Test
    void a429HalvesTheConcurrencyDownToOneButNeverBelow() {
        ScopeLimit limit = new ScopeLimit(8, UNLIMITED, 0);
        long now = 0;
        List<Integer> afterEach429 = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            // every slot the limit allows is taken (as fast as the lowered rate lets them), one attempt is refused,
            // then they all end
            now += SECOND;
            long firstStart = now;
            now = fillSlots(limit, now);
            now += 10 * MS;
            limit.rateLimited(firstStart, now);
            afterEach429.add(limit.effectiveConcurrency());
            endAll(limit, limit.inFlight());
        }

        assertThat(afterEach429).containsExactly(4, 2, 1, 1, 1);
        assertThat(limit.maxConcurrent()).as("the configured value stays").isEqualTo(8);
    }

    @Test
    void a429WhileAtMostHalfTheSlotsWereInUseLeavesTheConcurrencyAlone() {
        ScopeLimit limit = new ScopeLimit(10, UNLIMITED, 0);
        for (int i = 0; i < 5; i++) {
            limit.start(0);
        }

        limit.rateLimited(0, 5 * MS);

        // 5 of 10 on the wire: sending less at once would not have avoided the 429 (one action's, say)
        assertThat(limit.effectiveConcurrency()).isEqualTo(10);

        limit.start(10 * MS);
        limit.rateLimited(10 * MS, 15 * MS);
        assertThat(limit.effectiveConcurrency()).as("6 of 10 on the wire").isEqualTo(5);
    }

    @Test
    void aScopeWithoutALimitOfItsOwnHalvesWhatWasOnTheWire() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, UNLIMITED, 0);
        limit.start(0);
        limit.start(0);
        limit.start(0);
        limit.start(0);

        limit.rateLimited(0, 5 * MS);

        assertThat(limit.effectiveConcurrency()).as("half of the 4 on the wire").isEqualTo(2);
    }

    @Test
    void aBurstOf429sAnsweringAttemptsStartedBeforeTheFirstDecreaseLowersTheLimitsOnce() {
        ScopeLimit limit = new ScopeLimit(8, UNLIMITED, 0);
        for (int i = 0; i < 8; i++) {
            limit.start(i * MS);
        }

        // all eight were on the wire when Genesys started refusing: their 429s are one signal, not eight
        for (int i = 0; i < 8; i++) {
            limit.rateLimited(i * MS, (20 + i) * MS);
            limit.end();
        }
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);

        // attempts started after the first decrease that are refused again lower them again
        for (int i = 0; i < 3; i++) {
            limit.start(40 * MS);
        }
        limit.rateLimited(40 * MS, 50 * MS);
        assertThat(limit.effectiveConcurrency()).isEqualTo(2);
    }

    @Test
    void successesRaiseTheConcurrencyBackByAboutOnePerRoundUpToTheConfiguredValueAndNeverAbove() {
        ScopeLimit limit = new ScopeLimit(8, UNLIMITED, 0);
        startAllowed(limit, 0);
        limit.rateLimited(0, 10 * MS);
        endAll(limit, 8);
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);

        // additive: one success is not a round; a round of about 4 successes at concurrency 4 adds one slot
        // (each adds 1/concurrency: 4.25, 4.49, 4.71, 4.92, 5.12)
        limit.succeeded();
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);
        limit.succeeded();
        limit.succeeded();
        limit.succeeded();
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);
        limit.succeeded();
        assertThat(limit.effectiveConcurrency()).isEqualTo(5);

        List<Integer> seen = new ArrayList<>();
        for (int success = 0; success < 200; success++) {
            limit.succeeded();
            seen.add(limit.effectiveConcurrency());
        }
        assertThat(seen).as("never shrinking on success, never above the configured 8").isSorted()
                .allSatisfy(concurrency -> assertThat(concurrency).isBetween(5, 8));
        // from 5 back to 8 takes about 5 + 6 + 7 successes: rounds, not single answers
        assertThat(seen.indexOf(8)).isBetween(15, 20);
        assertThat(seen.getLast()).isEqualTo(8);
    }

    @Test
    void anUnsetRateLetsEveryAttemptStartUntilA429ThenHalfOfTheStartsOfTheLastSecond() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, UNLIMITED, 0);

        // 40 starts over two seconds, 20 a second: nothing limits them
        for (int i = 0; i < 40; i++) {
            long now = i * 50 * MS;
            assertThat(limit.canStart(now)).isTrue();
            assertThat(limit.nanosUntilToken(now)).isZero();
            limit.start(now);
            limit.end();
        }
        assertThat(limit.effectiveRate()).isEqualTo(UNLIMITED);

        // the last second saw the starts at 1.00 s to 1.95 s: 20 of them
        long refusedAt = 1950 * MS + 1;
        limit.rateLimited(1950 * MS, refusedAt);

        assertThat(limit.effectiveRate()).isEqualTo(10.0);
        assertThat(limit.maxRate()).as("the configured rate stays unset").isEqualTo(UNLIMITED);
    }

    @Test
    void a429WithFewerThanTenStartsInTheLastSecondLeavesTheRateAlone() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, UNLIMITED, 0);
        for (int i = 0; i < 9; i++) {
            limit.start(i * 100 * MS);
            limit.end();
        }

        // at this pace our volume is not what Genesys limits: a rate of 4.5 a second would only slow the backlog
        limit.rateLimited(800 * MS, 900 * MS);

        assertThat(limit.effectiveRate()).isEqualTo(UNLIMITED);
    }

    @Test
    void successesRaiseTheRateBackUpToTheConfiguredRateAndNeverAbove() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, 20, 0);
        long now = 0;
        for (int i = 0; i < 20; i++) {
            now = i * 50 * MS;
            limit.start(now);
            limit.end();
        }
        limit.rateLimited(now, now + 1);
        assertThat(limit.effectiveRate()).isEqualTo(10.0);

        List<Double> seen = new ArrayList<>();
        for (int success = 0; success < 500; success++) {
            limit.succeeded();
            seen.add(limit.effectiveRate());
        }
        assertThat(seen).isSorted().allSatisfy(rate -> assertThat(rate).isBetween(10.0, 20.0));
        assertThat(seen.getFirst()).as("one success adds about 1/rate").isCloseTo(10.1, within(1e-9));
        assertThat(seen.getLast()).isEqualTo(20.0);
    }

    @Test
    void atAHundredASecondNoSecondSeesMoreThanTheRateAndItsBurstWhenEveryTokenIsTakenAtOnce() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, 100, 0);
        List<Long> starts = new ArrayList<>();

        // a greedy caller: it starts whatever the limit allows, and comes back exactly when the next token is due
        long now = 0;
        while (now < 10 * SECOND) {
            while (limit.canStart(now)) {
                limit.start(now);
                limit.end();
                starts.add(now);
            }
            long wait = limit.nanosUntilToken(now);
            assertThat(wait).as("a token is due later, not now").isPositive();
            now += wait;
        }

        assertBusiestSecondBetween(starts, 100, 105);
        // a burst of 100/20 = 5 at most, then the rate
        assertThat(starts.stream().filter(at -> at == 0)).hasSize(5);
        assertThat(starts.size()).as("over 10 s").isBetween(995, 1005);
    }

    @Test
    void atAHundredASecondNoSecondSeesMoreThanTheRateAndItsBurstWhenCalledAtIrregularTimes() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, 100, 0);
        List<Long> starts = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(20);

        // a caller that comes back at random moments, sometimes after a lull that fills the bucket
        long now = 0;
        while (now < 20 * SECOND) {
            while (limit.canStart(now)) {
                limit.start(now);
                limit.end();
                starts.add(now);
            }
            now += random.nextInt(50) == 0 ? random.nextLong(100 * MS, 400 * MS) : random.nextLong(1, 15 * MS);
        }

        assertBusiestSecondBetween(starts, 90, 105);
    }

    @Test
    void aLimitedRateLetsABurstOfATwentiethOfASecondsWorthStartAtOnceAndAtLeastOne() {
        ScopeLimit fast = new ScopeLimit(UNBOUNDED, 100, 0);
        ScopeLimit slow = new ScopeLimit(UNBOUNDED, 3, 0);

        // after a lull, at most a twentieth of the rate starts at once (at least one)
        assertThat(startAllowed(fast, 10 * SECOND)).isEqualTo(5);
        assertThat(startAllowed(slow, 10 * SECOND)).isEqualTo(1);
        // the next token of the slow one is a third of a second away
        assertThat(slow.nanosUntilToken(10 * SECOND)).isBetween(333 * MS, 334 * MS);
        assertThat(slow.canStart(10 * SECOND + 333 * MS)).isFalse();
        assertThat(slow.canStart(10 * SECOND + 334 * MS)).isTrue();
    }

    @Test
    void configuringANewCeilingMovesTheEffectiveLimitsThatWereAtTheCeilingAtOnce() {
        ScopeLimit limit = new ScopeLimit(8, UNLIMITED, 0);

        limit.configure(4, 50);
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);
        assertThat(limit.effectiveRate()).isEqualTo(50.0);
        assertThat(limit.maxConcurrent()).isEqualTo(4);
        assertThat(limit.maxRate()).isEqualTo(50.0);

        limit.configure(16, 200);
        assertThat(limit.effectiveConcurrency()).as("at the ceiling, it follows the ceiling up").isEqualTo(16);
        assertThat(limit.effectiveRate()).isEqualTo(200.0);

        limit.configure(16, UNLIMITED);
        assertThat(limit.effectiveRate()).as("the rate returns to unlimited").isEqualTo(UNLIMITED);
        assertThat(limit.canStart(SECOND)).isTrue();
    }

    @Test
    void configuringANewCeilingKeepsAnAdaptedLimitBelowItAndNeverAboveIt() {
        ScopeLimit limit = new ScopeLimit(8, UNLIMITED, 0);
        startAllowed(limit, 0);
        limit.rateLimited(0, 10 * MS);
        endAll(limit, 8);
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);

        // a higher ceiling does not undo what Genesys' 429 taught
        limit.configure(16, UNLIMITED);
        assertThat(limit.effectiveConcurrency()).isEqualTo(4);
        assertThat(limit.maxConcurrent()).isEqualTo(16);

        // a lower one than the adapted value lowers it
        limit.configure(2, UNLIMITED);
        assertThat(limit.effectiveConcurrency()).isEqualTo(2);
        for (int success = 0; success < 50; success++) {
            limit.succeeded();
        }
        assertThat(limit.effectiveConcurrency()).isEqualTo(2);
    }

    @Test
    void configuringALowerRateTakesEffectForTheNextStarts() {
        ScopeLimit limit = new ScopeLimit(UNBOUNDED, 100, 0);
        startAllowed(limit, SECOND);

        limit.configure(UNBOUNDED, 2);

        // 2 a second: a burst of one, then one every half second
        List<Long> starts = new ArrayList<>();
        for (long now = 2 * SECOND; now < 12 * SECOND; now += MS) {
            while (limit.canStart(now)) {
                limit.start(now);
                limit.end();
                starts.add(now);
            }
        }
        assertThat(starts).hasSizeBetween(20, 21);
        assertBusiestSecondBetween(starts, 2, 3);
    }

    /** Starts every attempt the limit allows at {@code now}, keeping them on the wire; returns how many. */
    private static int startAllowed(ScopeLimit limit, long now) {
        int started = 0;
        while (limit.canStart(now)) {
            limit.start(now);
            started++;
        }
        return started;
    }

    /**
     * Starts attempts until every slot is taken, each as soon as the rate lets it, keeping them on the wire; returns
     * when the last one started.
     */
    private static long fillSlots(ScopeLimit limit, long from) {
        long now = from;
        while (!limit.full()) {
            if (limit.canStart(now)) {
                limit.start(now);
            } else {
                now += limit.nanosUntilToken(now);
            }
        }
        return now;
    }

    private static void endAll(ScopeLimit limit, int count) {
        for (int i = 0; i < count; i++) {
            limit.end();
        }
    }

    /** The most starts any window of one second (from any start on) saw is within the bounds. */
    private static void assertBusiestSecondBetween(List<Long> starts, int atLeast, int atMost) {
        int busiest = 0;
        int end = 0;
        for (int first = 0; first < starts.size(); first++) {
            while (end < starts.size() && starts.get(end) < starts.get(first) + SECOND) {
                end++;
            }
            busiest = Math.max(busiest, end - first);
        }
        assertThat(busiest).as("starts in the busiest second").isBetween(atLeast, atMost);
    }
}
