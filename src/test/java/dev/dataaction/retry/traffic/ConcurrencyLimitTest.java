package dev.dataaction.retry.traffic;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A concurrency limit bounds the attempts on the wire at once, and the slots go to the actions in turn, so that one
 * action's backlog does not starve another's retries. What was on the wire is read from the stand-in's request log: an
 * answer takes {@link #ANSWER_DELAY}, and the orchestrator sends the next attempt only once an answer freed a slot, so
 * each attempt was on the wire from its logged arrival for at least that long.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class ConcurrencyLimitTest {

    private static final Duration ANSWER_DELAY = Duration.ofMillis(500);
    private static final int BACKLOG = 6;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @AfterEach
    void restoreServiceLimits() {
        Traffic.restoreServiceLimits();
    }

    @Test
    void anActionLimitedToTwoNeverHasMoreThanTwoOnTheWireAndAnotherActionIsNotHeldUp() {
        String limited = Retries.newActionId();
        String other = Retries.newActionId();
        Traffic.limitAction(limited, "{\"maxConcurrent\":2}");
        answersSlowly(limited);
        GenesysStub.stubSequence(executePath(other), success("{}"));
        try {
            List<String> backlog = submit(limited, BACKLOG);
            // the other action has no limit of its own, and the service's 10 slots are far from taken
            String otherOne = Retries.submitAccepted(other);

            List<Integer> shown = new ArrayList<>();
            await("the backlog done").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                shown.add(Traffic.action(limited).getInt("inFlight"));
                return backlog.stream().allMatch(id -> Retries.isFinished(Retries.record(id)));
            });

            backlog.forEach(id -> assertThat(Retries.record(id).getList("attempts.outcome")).containsExactly("SUCCESS"));
            List<Instant> limitedCalls = arrivals(limited);
            assertThat(limitedCalls).hasSize(BACKLOG);
            assertThat(mostOnTheWireAtOnce(limitedCalls)).as("the limit is reached and never exceeded").isEqualTo(2);
            assertThat(shown).as("on the wire, as the action shows it").allSatisfy(
                    inFlight -> assertThat(inFlight).isBetween(0, 2));
            // three rounds of two: the last call waited for two answers before it
            assertThat(Duration.between(limitedCalls.getFirst(), limitedCalls.getLast()))
                    .isGreaterThanOrEqualTo(ANSWER_DELAY.multipliedBy(2));
            JsonPath otherDone = Retries.awaitStatus(otherOne, "SUCCEEDED");
            assertThat(Retries.instant(otherDone, "completedAt")).as("the other action finished before the backlog")
                    .isBefore(limitedCalls.getLast());
        } finally {
            Traffic.limitAction(limited, "{}");
        }
    }

    @Test
    void theServicesSlotsGoToTheActionsInTurnSoThatABacklogDoesNotStarveALaterAction() {
        String busy = Retries.newActionId();
        String late = Retries.newActionId();
        Traffic.setServiceLimits("{\"maxConcurrent\":2}").then().statusCode(200);
        answersSlowly(busy);
        answersSlowly(late);

        // eight due at once take four rounds of two slots; the late retry comes due during the first
        List<String> backlog = submit(busy, 8);
        String lateOne = Retries.submitAccepted(late);

        Retries.awaitStatus(lateOne, "SUCCEEDED");
        backlog.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
        List<Instant> busyCalls = arrivals(busy);
        Instant lateCall = arrivals(late).getFirst();
        // in turn, the late action takes one of the next slots freed; first come, first served, it would wait for the
        // whole backlog, due before it
        assertThat(busyCalls.stream().filter(call -> call.isAfter(lateCall)).count())
                .as("the busy action's calls after the late action's").isGreaterThanOrEqualTo(2);
        List<Instant> all = new ArrayList<>(busyCalls);
        all.add(lateCall);
        all.sort(Comparator.naturalOrder());
        assertThat(mostOnTheWireAtOnce(all)).as("the service's limit, over both actions").isEqualTo(2);
    }

    @Test
    void aLowerLimitSetWhileRetriesWaitHoldsForTheNextAttempts() {
        String actionId = Retries.newActionId();
        Traffic.limitAction(actionId, "{\"maxConcurrent\":3}");
        answersSlowly(actionId);
        try {
            List<String> backlog = submit(actionId, BACKLOG);
            await("the first three on the wire").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Traffic.action(actionId).getInt("inFlight") == 3);

            JsonPath lowered = Traffic.limitAction(actionId, "{\"maxConcurrent\":1}");
            assertThat(lowered.getInt("effective.maxConcurrent")).isEqualTo(1);

            backlog.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED", Duration.ofSeconds(10)));
            List<Instant> calls = arrivals(actionId);
            // the three already sent finish; the three after them go one at a time
            assertThat(mostOnTheWireAtOnce(calls.subList(3, BACKLOG))).isEqualTo(1);
            assertThat(Duration.between(calls.get(3), calls.get(5))).isGreaterThanOrEqualTo(ANSWER_DELAY.multipliedBy(2));
        } finally {
            Traffic.limitAction(actionId, "{}");
        }
    }

    /** The action answers every call with success, after {@link #ANSWER_DELAY}. */
    private static void answersSlowly(String actionId) {
        GenesysStub.server().stubFor(post(urlEqualTo(executePath(actionId)))
                .willReturn(success("{}").withFixedDelay((int) ANSWER_DELAY.toMillis())));
    }

    /** Submits {@code count} retries of the action in one batch, so that they come due together. */
    private static List<String> submit(String actionId, int count) {
        List<Object> items = new ArrayList<>();
        for (int run = 0; run < count; run++) {
            items.add(Retries.request(actionId, "run-" + run));
        }
        JsonPath results = Retries.submitBatch(items).then().statusCode(200).extract().jsonPath();
        assertThat(results.getList("results.outcome")).containsOnly("accepted").hasSize(count);
        return results.getList("results.retry.requestId");
    }

    /** When each call of the action reached the stand-in, oldest first. */
    private static List<Instant> arrivals(String actionId) {
        return GenesysStub.requestsTo(executePath(actionId)).stream().map(LoggedRequest::getLoggedDate)
                .map(date -> date.toInstant()).toList();
    }

    /**
     * The most calls on the wire at once, each from its arrival for {@link #ANSWER_DELAY}. Logged times are whole
     * milliseconds, and a call freed by an answer arrives no earlier than that answer left: a call arriving the very
     * millisecond another one's delay ends does not overlap it.
     */
    private static int mostOnTheWireAtOnce(List<Instant> arrivals) {
        int most = 0;
        for (Instant arrival : arrivals) {
            long atOnce = arrivals.stream().filter(other -> !other.isAfter(arrival)
                    && other.plus(ANSWER_DELAY).isAfter(arrival)).count();
            most = Math.max(most, (int) atOnce);
        }
        return most;
    }
}
