package dev.dataaction.retry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/**
 * What the console reads from a store, asserted the same way on both: the memory store and PostgreSQL must agree on every
 * filter, on the order and the cursor, and on the counts and groups, since the console cannot tell which one it reads.
 * Retries are written straight into each store, so that their times, errors and attempts are exactly the test's; those
 * that are unfinished are due a day from now, out of reach of the replica's claims.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(PostgresProfile.class)
class RetryStoreContractTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Request ids in PostgreSQL's order, which is unsigned: a signed comparison would put the last two first. */
    private static final UUID LOW = UUID.fromString("00000000-0000-4000-8000-000000000001");
    private static final UUID BELOW_HALF = UUID.fromString("7fffffff-ffff-4fff-bfff-ffffffffffff");
    private static final UUID ABOVE_HALF = UUID.fromString("80000000-0000-4000-8000-000000000000");
    private static final UUID HIGH = UUID.fromString("ffffffff-ffff-4fff-bfff-fffffffffffe");

    enum Kind {
        MEMORY,
        POSTGRES
    }

    @Inject
    PostgresRetryStore postgres;

    @Inject
    OrchestratorConfig config;

    /** A whole minute half an hour ago, so that the minutes counted are the test's own. */
    private final Instant base = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
    private final Instant farAhead = Instant.now().plus(Duration.ofDays(1));

    @BeforeEach
    @AfterEach
    void emptyTheDatabase() {
        PostgresDatabase.update("DELETE FROM retries");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachFilterSelectsItsRetriesAloneAndCombined(Kind kind) {
        RetryStore store = store(kind);
        RetryRecord failedA = put(store, retry("a", "run-1", RetryStatus.FAILED, at(0), error("bad.request", "Missing")));
        RetryRecord exhaustedA = put(store, retry("a", "run-2", RetryStatus.EXHAUSTED, at(10), error("timeout", "Slow")));
        RetryRecord pendingB = put(store, retry("b", "run-1", RetryStatus.PENDING, at(20), error("timeout", "Slow")));
        RetryRecord failedB = put(store, retry("b", "run-3", RetryStatus.FAILED, at(30), error("bad.request", "Wrong")));
        RetryRecord succeededA = put(store, retry("a", "run-4", RetryStatus.SUCCEEDED, at(40), null));
        RetryRecord cancelledC = put(store, retry("c", "run-5", RetryStatus.CANCELLED, at(50), null));
        RetryQuery any = RetryQuery.newest(50);

        assertThat(list(store, any)).containsExactly(cancelledC, succeededA, failedB, pendingB, exhaustedA, failedA);
        assertThat(list(store, any.withStatuses(Set.of(RetryStatus.FAILED)))).containsExactly(failedB, failedA);
        assertThat(list(store, any.withStatuses(Set.of(RetryStatus.FAILED, RetryStatus.EXHAUSTED))))
                .containsExactly(failedB, exhaustedA, failedA);
        assertThat(list(store, any.withActionId(Optional.of("a")))).containsExactly(succeededA, exhaustedA, failedA);
        assertThat(list(store, any.withOriginalRunId(Optional.of("run-1")))).containsExactly(pendingB, failedA);
        assertThat(list(store, any.withErrorCode(Optional.of("timeout")))).containsExactly(pendingB, exhaustedA);
        assertThat(list(store, any.withAccepted(Optional.of(at(10)), Optional.empty())))
                .as("acceptedFrom is inclusive").containsExactly(cancelledC, succeededA, failedB, pendingB, exhaustedA);
        assertThat(list(store, any.withAccepted(Optional.empty(), Optional.of(at(30)))))
                .as("acceptedBefore is exclusive").containsExactly(pendingB, exhaustedA, failedA);
        assertThat(list(store, any.withLimit(2))).containsExactly(cancelledC, succeededA);

        RetryQuery combined = any.withStatuses(Set.of(RetryStatus.FAILED, RetryStatus.PENDING))
                .withActionId(Optional.of("b")).withErrorCode(Optional.of("bad.request"))
                .withAccepted(Optional.of(at(20)), Optional.of(at(31)));
        assertThat(list(store, combined)).containsExactly(failedB);
        assertThat(list(store, combined.withOriginalRunId(Optional.of("run-1")))).isEmpty();
        assertThat(list(store, any.withErrorCode(Optional.of("not.there")))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theCursorPagesThroughEveryRetryOnceEvenWhenSomeWereAcceptedAtTheSameInstant(Kind kind) {
        RetryStore store = store(kind);
        List<RetryRecord> newestFirst = new ArrayList<>();
        newestFirst.add(put(store, retry("a", "run-8", RetryStatus.FAILED, at(3), error("e", "m"))));
        // four accepted at once, straddling the first and the second page; put in no particular order
        for (UUID id : List.of(BELOW_HALF, HIGH, LOW, ABOVE_HALF)) {
            put(store, retry(id, "a", "run-" + id, RetryStatus.FAILED, at(2), error("e", "m")));
        }
        for (UUID id : List.of(HIGH, ABOVE_HALF, BELOW_HALF, LOW)) {
            newestFirst.add(find(store, id));
        }
        newestFirst.add(put(store, retry("a", "run-6", RetryStatus.SUCCEEDED, at(1), null)));
        newestFirst.add(put(store, retry("a", "run-7", RetryStatus.FAILED, at(0), error("e", "m"))));
        assertThat(list(store, RetryQuery.newest(50))).containsExactlyElementsOf(newestFirst);

        List<RetryRecord> paged = new ArrayList<>();
        RetryQuery page = RetryQuery.newest(3);
        List<Integer> sizes = new ArrayList<>();
        for (List<RetryRecord> shown = list(store, page); !shown.isEmpty(); shown = list(store, page)) {
            sizes.add(shown.size());
            paged.addAll(shown);
            page = page.withAfter(Optional.of(RetryQuery.Cursor.of(shown.getLast())));
        }
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(paged).as("every retry once, in order").containsExactlyElementsOf(newestFirst);

        RetryQuery failed = RetryQuery.newest(2).withStatuses(Set.of(RetryStatus.FAILED));
        List<RetryRecord> first = list(store, failed);
        List<RetryRecord> second = list(store, failed.withAfter(Optional.of(RetryQuery.Cursor.of(first.getLast()))));
        List<RetryRecord> third = list(store, failed.withAfter(Optional.of(RetryQuery.Cursor.of(second.getLast()))));
        assertThat(concat(first, second, third)).as("a filtered listing pages the same way")
                .containsExactlyElementsOf(newestFirst.stream()
                        .filter(retry -> retry.status() == RetryStatus.FAILED).toList());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCursorWhoseRetryWasForgottenStillMarksItsPlace(Kind kind) {
        RetryStore store = store(kind);
        put(store, retry("a", "run-1", RetryStatus.FAILED, at(2), error("e", "m")));
        RetryRecord older = put(store, retry("a", "run-2", RetryStatus.FAILED, at(0), error("e", "m")));
        // the last retry a page showed, accepted between the two, since purged
        RetryQuery.Cursor gone = new RetryQuery.Cursor(at(1), UUID.randomUUID());

        assertThat(list(store, RetryQuery.newest(50).withAfter(Optional.of(gone)))).containsExactly(older);
        assertThat(list(store, RetryQuery.newest(50).withAfter(Optional.of(RetryQuery.Cursor.of(older))))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void keepsWhetherARetryAsksForFlattenedOutputThroughEveryChange(Kind kind) {
        RetryStore store = store(kind);
        RetryRecord plain = put(store, retry("a", "run-1", RetryStatus.PENDING, at(0), null));
        RetryRecord flat = put(store, flattened(retry("a", "run-2", RetryStatus.FAILED, at(1), error("e", "m"),
                attempt(1, at(1)))));

        assertThat(plain.flatten()).isFalse();
        assertThat(flat.flatten()).isTrue();
        assertThat(await(store.submission(flat.requestId())).orElseThrow().retry().flatten()).isTrue();
        assertThat(await(store.cancel(plain.requestId(), at(2)))).isInstanceOf(Cancellation.Cancelled.class);
        assertThat(find(store, plain.requestId()).flatten()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void countsTheRetriesOfEachStatusItHolds(Kind kind) {
        RetryStore store = store(kind);
        put(store, retry("a", "run-1", RetryStatus.PENDING, at(0), null));
        put(store, retry("a", "run-2", RetryStatus.IN_FLIGHT, at(1), null));
        put(store, retry("a", "run-3", RetryStatus.FAILED, at(2), error("e", "m")));
        put(store, retry("a", "run-4", RetryStatus.FAILED, at(3), error("e", "m")));
        put(store, retry("b", "run-3", RetryStatus.SUCCEEDED, at(4), null));

        assertThat(await(store.countByStatus())).isEqualTo(Map.of(RetryStatus.PENDING, 1L, RetryStatus.IN_FLIGHT, 1L,
                RetryStatus.FAILED, 2L, RetryStatus.SUCCEEDED, 1L));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void groupsDeadLettersAndFailingRetriesByActionAndErrorCode(Kind kind) {
        RetryStore store = store(kind);
        // a / bad.request: two dead letters and one still failing, last seen at its second attempt
        put(store, retry("a", "run-1", RetryStatus.FAILED, at(0), error("bad.request", "oldest"), attempt(1, at(1))));
        put(store, retry("a", "run-2", RetryStatus.EXHAUSTED, at(5), error("bad.request", "seen last"),
                attempt(1, at(6)), attempt(2, at(40))));
        put(store, retry("a", "run-3", RetryStatus.PENDING, at(20), error("bad.request", "accepted last"),
                attempt(1, at(21))));
        // a / timeout: never attempted, so last seen when accepted
        put(store, retry("a", "run-4", RetryStatus.IN_FLIGHT, at(30), error("timeout", "no answer")));
        // b / timeout: seen as late as a / bad.request; the action's name breaks the tie
        put(store, retry("b", "run-1", RetryStatus.FAILED, at(2), error("timeout", "b timed out"), attempt(1, at(40))));
        // b / no code: an answer without an error body still has a group, after those with a code
        put(store, retry("b", "run-2", RetryStatus.FAILED, at(3), error(null, "HTTP 418"), attempt(1, at(40))));
        // left out: no error, or not a failure
        put(store, retry("c", "run-1", RetryStatus.FAILED, at(50), null));
        put(store, retry("c", "run-2", RetryStatus.SUCCEEDED, at(51), error("bad.request", "then succeeded")));
        put(store, retry("c", "run-3", RetryStatus.CANCELLED, at(52), error("bad.request", "then cancelled")));
        put(store, retry("c", "run-4", RetryStatus.PENDING, at(53), null));

        List<FailureGroup> groups = await(store.failureGroups(10));

        assertThat(groups).containsExactly(
                new FailureGroup("a", "bad.request", 2, 1, at(0), at(40), "seen last"),
                new FailureGroup("b", "timeout", 1, 0, at(2), at(40), "b timed out"),
                new FailureGroup("b", null, 1, 0, at(3), at(40), "HTTP 418"),
                new FailureGroup("a", "timeout", 0, 1, at(30), at(30), "no answer"));
        assertThat(await(store.failureGroups(2))).containsExactlyElementsOf(groups.subList(0, 2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theSampleOfAGroupIsItsRetrySeenLastAndTheNewestOfThoseSeenAtOnce(Kind kind) {
        RetryStore store = store(kind);
        put(store, retry(LOW, "a", "run-1", RetryStatus.FAILED, at(0), error("e", "low"), attempt(1, at(9))));
        put(store, retry(HIGH, "a", "run-2", RetryStatus.FAILED, at(0), error("e", "high"), attempt(1, at(9))));
        put(store, retry("a", "run-3", RetryStatus.FAILED, at(5), error("e", "earlier attempt"), attempt(1, at(8))));

        assertThat(await(store.failureGroups(10))).extracting(FailureGroup::sampleMessage).containsExactly("high");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void countsTheAttemptsStartedSinceAnInstantPerMinuteAndOutcome(Kind kind) {
        RetryStore store = store(kind);
        Instant since = at(60);
        // finished before the bound: none of its attempts counts
        put(store, retry("a", "run-1", RetryStatus.FAILED, at(0), error("e", "m"),
                attempt(1, at(1), AttemptOutcome.SERVER_ERROR), attempt(2, at(59).plusMillis(500),
                        AttemptOutcome.CLIENT_ERROR)));
        // one attempt before the bound and three after, over two minutes
        put(store, retry("a", "run-2", RetryStatus.SUCCEEDED, at(30), null,
                attempt(1, at(50), AttemptOutcome.RATE_LIMITED), attempt(2, since, AttemptOutcome.RATE_LIMITED),
                attempt(3, at(119).plusMillis(999), AttemptOutcome.SERVER_ERROR),
                attempt(4, at(120), AttemptOutcome.SUCCESS)));
        // still pending: its attempts count too
        put(store, retry("b", "run-1", RetryStatus.PENDING, at(70), error("timeout", "m"),
                attempt(1, at(80), AttemptOutcome.TIMEOUT), attempt(2, at(100), AttemptOutcome.RATE_LIMITED)));

        assertThat(await(store.attemptsPerMinute(since))).containsExactly(
                new AttemptCount(at(60), AttemptOutcome.RATE_LIMITED, 2),
                new AttemptCount(at(60), AttemptOutcome.SERVER_ERROR, 1),
                new AttemptCount(at(60), AttemptOutcome.TIMEOUT, 1),
                new AttemptCount(at(120), AttemptOutcome.SUCCESS, 1));
        assertThat(await(store.attemptsPerMinute(at(121)))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void redrivesTheNewestFreeRetryOfEachKeyWithTheErrorCodeAsked(Kind kind) {
        RetryStore store = store(kind);
        // run-1 failed twice with the code: only its newest is redriven
        put(store, retry("a", "run-1", RetryStatus.FAILED, at(0), error("bad.request", "first")));
        RetryRecord newestOfRun1 = put(store, retry("a", "run-1", RetryStatus.FAILED, at(10), error("bad.request", "again")));
        RetryRecord run2 = put(store, retry("a", "run-2", RetryStatus.FAILED, at(5), error("bad.request", "m")));
        // another code, another status, a key held by a pending retry, and another action
        put(store, retry("a", "run-3", RetryStatus.FAILED, at(6), error("timeout", "m")));
        put(store, retry("a", "run-4", RetryStatus.EXHAUSTED, at(7), error("bad.request", "m")));
        put(store, retry("a", "run-5", RetryStatus.FAILED, at(8), error("bad.request", "m")));
        put(store, retry("a", "run-5", RetryStatus.PENDING, at(9), error("bad.request", "m")));
        RetryRecord otherAction = put(store, retry("b", "run-1", RetryStatus.FAILED, at(11), error("bad.request", "m")));
        RetryQuery failedWithCode = RetryQuery.newest(50).withStatuses(Set.of(RetryStatus.FAILED))
                .withErrorCode(Optional.of("bad.request"));

        assertThat(redrivable(store, failedWithCode)).containsExactly(otherAction, newestOfRun1, run2);
        assertThat(redrivable(store, failedWithCode.withActionId(Optional.of("a")).withLimit(1)))
                .containsExactly(newestOfRun1);
        assertThat(redrivable(store, failedWithCode.withAccepted(Optional.empty(), Optional.of(at(10)))))
                .as("the newest of run-1 before the bound").extracting(RetryRecord::acceptedAt)
                .containsExactly(at(5), at(0));
    }

    private RetryStore store(Kind kind) {
        return switch (kind) {
            case MEMORY -> new InMemoryRetryStore(config);
            case POSTGRES -> postgres;
        };
    }

    private Instant at(int seconds) {
        return base.plusSeconds(seconds);
    }

    private RetryState retry(String actionId, String originalRunId, RetryStatus status, Instant acceptedAt,
            LastError lastError, Attempt... attempts) {
        return retry(UUID.randomUUID(), actionId, originalRunId, status, acceptedAt, lastError, attempts);
    }

    /** A retry as the pipeline would have written it; an unfinished one is due (or on the wire) only a day from now. */
    private RetryState retry(UUID requestId, String actionId, String originalRunId, RetryStatus status,
            Instant acceptedAt, LastError lastError, Attempt... attempts) {
        List<Attempt> made = Arrays.asList(attempts);
        Instant lastMoment = made.isEmpty() ? acceptedAt : made.getLast().startedAt();
        RetryRecord record = new RetryRecord(requestId, actionId, originalRunId, false, status, made,
                status == RetryStatus.PENDING ? farAhead : null, null, null, lastError, acceptedAt,
                status.isFinished() ? lastMoment.plusMillis(1) : null);
        boolean inFlight = status == RetryStatus.IN_FLIGHT;
        return new RetryState(record, JsonNodeFactory.instance.objectNode().put("customer", "42"),
                acceptedAt.plus(Duration.ofMinutes(10)), made.size(), inFlight ? made.size() + 1 : 0,
                inFlight ? farAhead : null);
    }

    /** The same retry, asking for the output flattened. */
    private static RetryState flattened(RetryState retry) {
        RetryRecord r = retry.record();
        return new RetryState(new RetryRecord(r.requestId(), r.actionId(), r.originalRunId(), true, r.status(), r.attempts(),
                r.nextAttemptAt(), r.result(), r.runId(), r.lastError(), r.acceptedAt(), r.completedAt()), retry.payload(),
                retry.deadline(), retry.attemptsUsed(), retry.attemptInFlight(), retry.inFlightSince());
    }

    private static LastError error(String code, String message) {
        return new LastError(400, code, message, null);
    }

    private static Attempt attempt(int number, Instant startedAt) {
        return attempt(number, startedAt, AttemptOutcome.CLIENT_ERROR);
    }

    private static Attempt attempt(int number, Instant startedAt, AttemptOutcome outcome) {
        return new Attempt(number, startedAt, 100, 400, outcome);
    }

    /** Adds a retry as accepted, then writes the state it reached, as the replica driving it does. */
    private RetryRecord put(RetryStore store, RetryState retry) {
        RetryRecord accepted = new RetryRecord(retry.requestId(), retry.record().actionId(),
                retry.record().originalRunId(), retry.record().flatten(), RetryStatus.PENDING, List.of(), farAhead, null, null,
                null,
                retry.record().acceptedAt(), null);
        RetryState waiting = new RetryState(accepted, retry.payload(), retry.deadline(), 0, 0, null);
        assertThat(await(store.add(waiting, true))).isInstanceOf(Addition.Added.class);
        assertThat(await(store.save(retry, retry.status() == RetryStatus.PENDING))).isTrue();
        return find(store, retry.requestId());
    }

    private static RetryRecord find(RetryStore store, UUID requestId) {
        return await(store.find(requestId)).orElseThrow();
    }

    private static List<RetryRecord> list(RetryStore store, RetryQuery query) {
        return await(store.list(query));
    }

    private static List<RetryRecord> redrivable(RetryStore store, RetryQuery query) {
        return await(store.redrivable(query)).stream().map(StoredSubmission::retry).toList();
    }

    @SafeVarargs
    private static List<RetryRecord> concat(List<RetryRecord>... pages) {
        return Arrays.stream(pages).flatMap(List::stream).toList();
    }

    private static <T> T await(Uni<T> uni) {
        return uni.subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(TIMEOUT).getItem();
    }
}
