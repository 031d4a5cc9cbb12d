package dev.dataaction.retry.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.durable.ChaosReport.Attempt;
import dev.dataaction.retry.durable.ChaosReport.Held;
import dev.dataaction.retry.durable.ChaosReport.Kill;
import dev.dataaction.retry.durable.ChaosReport.Load;
import dev.dataaction.retry.durable.ChaosReport.Outage;
import dev.dataaction.retry.durable.ChaosReport.StoredRetry;
import dev.dataaction.retry.durable.ChaosReport.Wait;

/** How the chaos run judges what it saw: when each attempt was due, and which repeated calls an interruption explains. */
class ChaosReportTest {

    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    private static final String ID = "retry-1";

    @Test
    void anAttemptAfterA429IsDueAtTheAnswerPlusTheWaitTheAuditTrailStates() {
        // answered after 300 ms, then a wait of 2.5 s: due at 1.0 + 0.3 + 2.5 = 3.8 s
        StoredRetry retry = succeeded(attempt(1, 1_000, 300, "RATE_LIMITED"), attempt(2, 3_850, 20, "SUCCESS"));
        Map<String, List<Wait>> waits = Map.of(ID, List.of(new Wait(0, at(0), Duration.ofMillis(1_000)),
                new Wait(1, at(1_300), Duration.ofMillis(2_500))));

        ChaosReport report = report(retry, 2, waits, List.of(), Optional.empty());

        assertThat(report.breaches()).isEmpty();
        assertThat(report.render()).contains("max 0.05 s; 0 over 20 s (2 attempts)");
    }

    @Test
    void theRepeatOfAnAttemptLostWithItsReplicaIsDueAtTheKill() {
        Kill kill = new Kill("b", at(3_000), Map.of(ID, new Held("IN_FLIGHT", at(1_000), 1)), Duration.ofSeconds(10));
        StoredRetry onTime = succeeded(attempt(1, 1_000, 0, "INTERRUPTED"), attempt(1, 19_000, 50, "SUCCESS"));
        StoredRetry late = succeeded(attempt(1, 1_000, 0, "INTERRUPTED"), attempt(1, 23_500, 50, "SUCCESS"));

        assertThat(report(onTime, 2, Map.of(), List.of(kill), Optional.empty()).breaches()).isEmpty();
        assertThat(report(late, 2, Map.of(), List.of(kill), Optional.empty()).breaches())
                .containsExactly("retry retry-1: attempt 1 started 20.50 s after it was due at " + at(3_000));
    }

    @Test
    void anAttemptLetGoDuringTheOutageIsDueWhenTheDatabaseAnswersAgain() {
        Outage outage = new Outage("connections cut", at(2_000), at(7_000), Duration.ofMillis(500), Optional.empty());
        StoredRetry retry = succeeded(attempt(1, 1_000, 0, "INTERRUPTED"), attempt(1, 8_000, 50, "SUCCESS"));

        ChaosReport report = report(retry, 2, Map.of(), List.of(), Optional.of(outage));

        assertThat(report.breaches()).isEmpty();
        assertThat(report.render())
                .contains("| Duplicate executions (a second call for one attempt) | 1 (1 database outage) |");
    }

    @Test
    void aSecondCallForAnAttemptNothingInterruptedIsABreach() {
        StoredRetry retry = succeeded(attempt(1, 1_000, 50, "SUCCESS"));

        assertThat(report(retry, 2, Map.of(), List.of(), Optional.empty()).breaches())
                .singleElement().asString().contains("an execution repeated without an interruption");
    }

    @Test
    void anInterruptionNoFaultExplainsIsABreach() {
        StoredRetry retry = succeeded(attempt(1, 1_000, 0, "INTERRUPTED"), attempt(1, 2_000, 50, "SUCCESS"));

        assertThat(report(retry, 1, Map.of(), List.of(), Optional.empty()).breaches())
                .containsExactly("retry retry-1: attempt 1 was interrupted, but no kill or outage explains it");
    }

    @Test
    void anAcceptedRetryThatDidNotSucceedOrIsNotStoredIsLost() {
        StoredRetry exhausted = new StoredRetry(ID, "a-1", "EXHAUSTED", T0, List.of(attempt(1, 1_000, 50, "SERVER_ERROR")));
        ChaosReport report = new ChaosReport("setup", new Load(T0, Duration.ofSeconds(1), 2, Set.of(ID, "retry-2"), Map.of()),
                List.of(exhausted), Map.of(ID, 1), Map.of(), Map.of(), List.of(), Optional.empty());

        assertThat(report.breaches()).anyMatch(breach -> breach.startsWith("retry retry-1 (a-1) ended EXHAUSTED"))
                .contains("retry retry-2 was accepted, but is not stored");
    }

    private static ChaosReport report(StoredRetry retry, int calls, Map<String, List<Wait>> waits, List<Kill> kills,
            Optional<Outage> outage) {
        return new ChaosReport("setup", new Load(T0, Duration.ofSeconds(1), 1, Set.of(ID), Map.of()), List.of(retry),
                Map.of(ID, calls), waits, Map.of(ID, at(1_000)), kills, outage);
    }

    private static StoredRetry succeeded(Attempt... attempts) {
        return new StoredRetry(ID, "a-1", "SUCCEEDED", T0, List.of(attempts));
    }

    private static Attempt attempt(int number, long startedAtMillis, long durationMs, String outcome) {
        return new Attempt(number, at(startedAtMillis), durationMs, outcome);
    }

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }
}
