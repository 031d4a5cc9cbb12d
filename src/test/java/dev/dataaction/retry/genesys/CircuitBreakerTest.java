package dev.dataaction.retry.genesys;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.DisabledOnIntegrationTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * One breaker per action (test profile: opens after 3 consecutive retryable failures, half-opens after 1.5 s). While
 * open, nothing of that action reaches Genesys and due retries wait without using up attempts, coming back after the
 * reset delay spread by the retry jitter (0.1 of it).
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class CircuitBreakerTest {

    private static final Duration RESET_DELAY = Duration.ofMillis(1500);
    private static final Duration JITTER_BAND = RESET_DELAY.dividedBy(10);
    private static final Duration ROUNDING = Duration.ofMillis(2);
    /** From the third failure reaching Genesys to its answer reaching the breaker. */
    private static final Duration ANSWER_TRANSIT = Duration.ofMillis(500);

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    private static ResponseDefinitionBuilder unavailable() {
        return genesysError(503, "service.unavailable", "Service unavailable", "ctx-503");
    }

    /**
     * Opens the action's breaker with three retries that each fail once and end at once (a Retry-After beyond
     * max-retry-after exhausts them), so that no retry is left waiting for the breaker. Two failures leave it closed.
     *
     * @return when the third failure reached Genesys
     */
    private static Instant openBreakerOf(String actionId) {
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.rateLimited("30"));
        for (int run = 1; run <= 3; run++) {
            JsonPath exhausted = Retries.awaitStatus(Retries.submitNew(actionId, "opener-" + run), "EXHAUSTED");
            assertThat(exhausted.getList("attempts.outcome")).containsExactly("RATE_LIMITED");
            assertThat(GenesysStub.countOf(executePath(actionId))).as("calls while closed").isEqualTo(run);
        }
        return GenesysStub.requestsTo(executePath(actionId)).get(2).getLoggedDate().toInstant();
    }

    private static JsonPath awaitHeld(String id) {
        return Retries.awaitRecord(id, record -> "circuit.open".equals(record.getString("lastError.code"))
                && "PENDING".equals(record.getString("status")), "held by the open breaker");
    }

    @Test
    void opensAfterThreeFailuresOnlyForThatActionAndLetsOneTrialCallThroughAfterTheResetDelay() {
        String broken = Retries.newActionId();
        String healthy = Retries.newActionId();
        GenesysStub.stubSequence(executePath(healthy), ok("{\"fine\":true}"));
        Instant opened = openBreakerOf(broken);
        GenesysStub.stubSequence(executePath(broken), ok("{\"back\":true}"));

        // a due retry of the broken action waits, without reaching Genesys and without using up an attempt,
        // while a retry of another action goes through
        String waiting = Retries.submitNew(broken, "waiting");
        String other = Retries.submitNew(healthy, "other");
        JsonPath held = awaitHeld(waiting);
        assertThat(GenesysStub.countOf(executePath(broken))).as("calls of the broken action while open").isEqualTo(3);
        assertThat(held.getList("attempts")).isEmpty();
        assertThat(Retries.instant(held, "nextAttemptAt")).as("the breaker's half-open time, spread by the jitter")
                .isAfterOrEqualTo(opened.plus(RESET_DELAY).minus(ROUNDING))
                .isBeforeOrEqualTo(opened.plus(RESET_DELAY).plus(JITTER_BAND).plus(ANSWER_TRANSIT));
        assertThat(Retries.awaitStatus(other, "SUCCEEDED").getList("attempts.outcome")).containsExactly("SUCCESS");

        // after the reset delay one trial call passes; it succeeds and closes the breaker
        JsonPath recovered = Retries.awaitStatus(waiting, "SUCCEEDED");
        assertThat(recovered.getList("attempts.number", Integer.class)).containsExactly(1);
        assertThat(recovered.getString("result.back")).isEqualTo("true");
        List<LoggedRequest> calls = GenesysStub.requestsTo(executePath(broken));
        assertThat(calls).hasSize(4);
        assertThat(Duration.between(opened, calls.get(3).getLoggedDate().toInstant()))
                .isGreaterThanOrEqualTo(RESET_DELAY.minus(ROUNDING));

        String afterwards = Retries.submitNew(broken, "afterwards");
        assertThat(Retries.awaitStatus(afterwards, "SUCCEEDED").getString("lastError")).isNull();
    }

    @Test
    void failedTrialCallOpensTheBreakerAgain() {
        String actionId = Retries.newActionId();
        openBreakerOf(actionId);
        GenesysStub.stubSequence(executePath(actionId), unavailable(), ok("{}"));

        String id = Retries.submitNew(actionId, "next");
        awaitHeld(id);
        // its first attempt is the trial call: it fails, so the breaker opens again and the retry waits once more
        JsonPath heldAgain = Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1
                && "circuit.open".equals(record.getString("lastError.code")), "held again after the failed trial");
        assertThat(heldAgain.getList("attempts.outcome")).containsExactly("SERVER_ERROR");
        Instant trial = GenesysStub.requestsTo(executePath(actionId)).get(3).getLoggedDate().toInstant();
        assertThat(Retries.instant(heldAgain, "nextAttemptAt")).isAfterOrEqualTo(trial.plus(RESET_DELAY).minus(ROUNDING));

        JsonPath succeeded = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(succeeded.getList("attempts.number", Integer.class)).containsExactly(1, 2);
        List<LoggedRequest> calls = GenesysStub.requestsTo(executePath(actionId));
        assertThat(calls).hasSize(5);
        assertThat(Duration.between(trial, calls.get(4).getLoggedDate().toInstant()))
                .isGreaterThanOrEqualTo(RESET_DELAY.minus(ROUNDING));
    }

    @Test
    void answersThatShowGenesysWorkingDoNotOpenTheBreaker() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId),
                genesysError(400, "bad.request", "remote endpoint said no", "c1"),
                genesysError(404, "not.found", "no such action", "c2"),
                genesysError(403, "missing.permissions", "missing integrations:action:execute", "c3"),
                genesysError(400, "bad.request", "remote endpoint said no", "c4"),
                ok("{}"));

        for (int run = 0; run < 4; run++) {
            Retries.awaitStatus(Retries.submitNew(actionId, "run-" + run), "FAILED");
        }
        JsonPath record = Retries.awaitStatus(Retries.submitNew(actionId, "run-ok"), "SUCCEEDED");

        assertThat(record.getList("attempts")).hasSize(1);
        assertThat(GenesysStub.countOf(executePath(actionId))).isEqualTo(5);
    }

    @Test
    void aSuccessInBetweenKeepsTheBreakerClosed() {
        String actionId = Retries.newActionId();
        // failure, failure, success, failure, failure: never three failures in a row
        GenesysStub.stubSequence(executePath(actionId), unavailable(), unavailable(), ok("{}"), unavailable(),
                unavailable(), ok("{}"));

        JsonPath first = Retries.awaitStatus(Retries.submitNew(actionId, "first"), "SUCCEEDED");
        JsonPath second = Retries.awaitStatus(Retries.submitNew(actionId, "second"), "SUCCEEDED");

        assertThat(first.getList("attempts")).hasSize(3);
        assertThat(second.getList("attempts")).hasSize(3);
        assertThat(second.getString("lastError.code")).isNotEqualTo("circuit.open");
    }

    @Test
    void retriesHeldTogetherAllProceedAfterTheTrialCall() {
        // the retry that is not the trial call waits for its outcome without blocking: a blocking wait would hold a
        // Vert.x event loop of the test application, which the later test classes share, for good
        String actionId = Retries.newActionId();
        openBreakerOf(actionId);
        GenesysStub.stubSequence(executePath(actionId), ok("{}"));

        // both wait for the same half-open time: one is the trial call, the other has to wait for its outcome
        String first = Retries.submitNew(actionId, "first");
        String second = Retries.submitNew(actionId, "second");
        awaitHeld(first);
        awaitHeld(second);

        await("both retries to succeed").atMost(Duration.ofSeconds(10))
                .until(() -> "SUCCEEDED".equals(Retries.record(first).getString("status"))
                        && "SUCCEEDED".equals(Retries.record(second).getString("status")));
        assertThat(GenesysStub.countOf(executePath(actionId))).isEqualTo(5);
    }

    /**
     * The trial call after the reset delay finds no token (the login service fails): nothing reached Genesys, so the
     * breaker of the action, still broken, stays open, and the next real call is its trial.
     */
    @Test
    void trialCallThatFindsNoTokenLeavesTheBreakerOpen() {
        String actionId = Retries.newActionId();
        openBreakerOf(actionId);
        GenesysStub.stubSequence(executePath(actionId), unavailable());
        StubMapping loginDown = GenesysStub.server().stubFor(post(urlEqualTo(GenesysStub.TOKEN_PATH)).atPriority(1)
                .willReturn(GenesysStub.json(503, "{\"error\":\"temporarily_unavailable\"}")));
        // a 401 makes the service drop its cached token; the new one cannot be had
        String refused = Retries.newActionId();
        GenesysStub.stubSequence(executePath(refused),
                genesysError(401, "authentication.required", "No authentication bearer token specified", "ctx-401"));
        String primer = Retries.submitNew(refused, "drop-the-token");
        Retries.awaitRecord(primer, record -> "token.unavailable".equals(record.getString("lastError.code")),
                "held for want of a token");

        String id = Retries.submitNew(actionId, "trial");
        Retries.awaitRecord(id, record -> "token.unavailable".equals(record.getString("lastError.code")),
                "the trial call held for want of a token");
        assertThat(GenesysStub.countOf(executePath(actionId))).as("calls of the broken action").isEqualTo(3);
        GenesysStub.server().removeStub(loginDown);

        // with a token again, the trial call fails and the breaker opens again at once: no further call for a reset delay
        await("the trial call").atMost(Duration.ofSeconds(5)).until(() -> GenesysStub.countOf(executePath(actionId)) == 4);
        await("no call while the breaker is open again").during(RESET_DELAY.multipliedBy(2).dividedBy(3))
                .atMost(RESET_DELAY).until(() -> GenesysStub.countOf(executePath(actionId)) == 4);
        JsonPath heldAgain = Retries.record(id);
        assertThat(heldAgain.getList("attempts.outcome")).containsExactly("SERVER_ERROR");
        assertThat(heldAgain.getString("lastError.code")).isEqualTo("circuit.open");
        Retries.cancel(id);
        Retries.cancel(primer);
    }

    @Test
    @DisabledOnIntegrationTest("asks the application's own gateway bean")
    void holdBeforeAttemptTellsWhileTheBreakerRefusesCallsAndCountsNothing() {
        GenesysGateway gateway = Arc.container().instance(GenesysGateway.class).get();
        String actionId = Retries.newActionId();
        assertThat(gateway.holdBeforeAttempt(actionId)).as("an action never called").isEmpty();
        Instant opened = openBreakerOf(actionId);
        GenesysStub.stubSequence(executePath(actionId), ok("{}"));

        List<Execution.Held> held = IntStream.range(0, 20).mapToObj(n -> gateway.holdBeforeAttempt(actionId))
                .flatMap(Optional::stream).toList();

        assertThat(held).hasSize(20).allSatisfy(hold -> {
            assertThat(hold.cause()).isEqualTo(Execution.HeldBy.CIRCUIT_OPEN);
            assertThat(hold.reason().code()).isEqualTo("circuit.open");
            assertThat(hold.reason().message()).isEqualTo("the action's circuit breaker is open");
            assertThat(hold.notBefore()).hasValueSatisfying(notBefore -> assertThat(notBefore)
                    .isAfterOrEqualTo(opened.plus(RESET_DELAY).minus(ROUNDING))
                    .isBeforeOrEqualTo(opened.plus(RESET_DELAY).plus(JITTER_BAND).plus(ANSWER_TRANSIT)));
        });
        assertThat(held.stream().map(hold -> hold.notBefore().orElseThrow()).distinct())
                .as("the waiters are spread").hasSizeGreaterThan(1);

        // asked again and again once the breaker would let its trial call through: nothing is counted, so the trial call
        // of the next retry still passes and closes the breaker
        await("the reset delay to pass").atMost(Duration.ofSeconds(5))
                .until(() -> gateway.holdBeforeAttempt(actionId).isEmpty());
        IntStream.range(0, 5).forEach(n -> assertThat(gateway.holdBeforeAttempt(actionId)).isEmpty());
        JsonPath trial = Retries.awaitStatus(Retries.submitNew(actionId, "trial"), "SUCCEEDED");
        assertThat(trial.getList("attempts.outcome")).containsExactly("SUCCESS");
        assertThat(gateway.holdBeforeAttempt(actionId)).isEmpty();
    }
}
