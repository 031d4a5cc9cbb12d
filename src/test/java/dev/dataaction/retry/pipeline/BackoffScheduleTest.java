package dev.dataaction.retry.pipeline;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static dev.dataaction.retry.support.GenesysStub.rateLimited;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The timers end to end: attempts happen when the rules say, measured where Genesys sees them (WireMock's request log).
 * The test profile's schedule: 100 ms before attempt 1, then 200 ms, 400 ms, 400 ms (max-delay), each ±10 %; a
 * Retry-After is a floor up to 3 s. The rules themselves, over any policy and any answers, are {@link RetryRulesTest}'s
 * and {@link RetryRulesPropertyTest}'s; this class checks that the driver's timers and the answers' headers carry them.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class BackoffScheduleTest {

    /** Slack for a loaded machine: an attempt may come late, never early. */
    private static final Duration LATE = Duration.ofSeconds(1);
    /** Timestamps in WireMock's log are whole milliseconds. */
    private static final Duration ROUNDING = Duration.ofMillis(2);

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void rateLimitedTwiceThenSucceedsOnTheThirdAttemptOnSchedule() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(429, "too.many.requests", "Rate limit exceeded", "c1"),
                genesysError(429, "too.many.requests", "Rate limit exceeded", "c2"), ok("{\"ticket\":\"T-1\"}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.number", Integer.class)).containsExactly(1, 2, 3);
        assertThat(record.getList("attempts.outcome")).containsExactly("RATE_LIMITED", "RATE_LIMITED", "SUCCESS");
        assertThat(record.getList("attempts.httpStatus", Integer.class)).containsExactly(429, 429, 200);
        assertThat(record.getString("result.ticket")).isEqualTo("T-1");
        assertThat(record.getString("completedAt")).isNotNull();
        assertThat(record.getString("nextAttemptAt")).isNull();

        List<LoggedRequest> requests = GenesysStub.requestsTo(executePath(actionId));
        assertThat(requests).hasSize(3);
        assertWaited(Retries.instant(record, "acceptedAt"), requests.get(0), Duration.ofMillis(100));
        assertWaited(requests.get(0), requests.get(1), Duration.ofMillis(200));
        assertWaited(requests.get(1), requests.get(2), Duration.ofMillis(400));
    }

    @Test
    void retryAfterInSecondsIsHonouredBeyondMaxDelay() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("1"), ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("RATE_LIMITED", "SUCCESS");
        List<LoggedRequest> requests = GenesysStub.requestsTo(executePath(actionId));
        assertThat(requests).hasSize(2);
        // Retry-After is a floor: at least 1 s (max-delay is 400 ms), plus at most 10 % jitter
        assertWaited(requests.get(0), requests.get(1), Duration.ofSeconds(1), Duration.ofMillis(1100));
    }

    @Test
    void retryAfterOnA503IsHonouredToo() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId),
                genesysError(503, "service.unavailable", "Service unavailable", "c1").withHeader("Retry-After", "1"),
                ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        Retries.awaitStatus(id, "SUCCEEDED");
        List<LoggedRequest> requests = GenesysStub.requestsTo(executePath(actionId));
        assertWaited(requests.get(0), requests.get(1), Duration.ofSeconds(1), Duration.ofMillis(1100));
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        String actionId = Retries.newActionId();
        // an HTTP date has whole seconds: 3 s ahead it is 2 to 3 s ahead, within max-retry-after (3 s)
        Instant notBefore = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
        String httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).format(notBefore);
        GenesysStub.stubSequence(executePath(actionId), rateLimited(httpDate), ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(record.getList("attempts.outcome")).containsExactly("RATE_LIMITED", "SUCCESS");
        List<LoggedRequest> requests = GenesysStub.requestsTo(executePath(actionId));
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).getLoggedDate().toInstant()).isAfterOrEqualTo(notBefore.minus(ROUNDING))
                .isBefore(notBefore.plus(Duration.ofMillis(300)).plus(LATE));
    }

    @Test
    void retryAfterLongerThanMaxRetryAfterEndsTheRetryAsExhausted() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("4"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath record = Retries.awaitStatus(id, "EXHAUSTED");
        assertThat(record.getList("attempts.outcome")).containsExactly("RATE_LIMITED");
        assertThat(record.getInt("lastError.httpStatus")).isEqualTo(429);
        assertThat(record.getString("lastError.code")).isEqualTo("retry-after.too.long");
        assertThat(record.getString("lastError.message")).contains("4 s");
        assertThat(record.getString("completedAt")).isNotNull();
        await("no further attempt").during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> GenesysStub.countOf(executePath(actionId)) == 1);
    }

    @Test
    void pendingRecordTellsWhenTheNextAttemptIsDue() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), rateLimited("2"), ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");

        JsonPath waiting = Retries.awaitRecord(id, record -> record.getList("attempts").size() == 1
                && "PENDING".equals(record.getString("status")), "waiting after its first attempt");
        Instant firstAttempt = Retries.instant(waiting, "attempts[0].startedAt");
        Instant due = Retries.instant(waiting, "nextAttemptAt");
        assertThat(Duration.between(firstAttempt, due)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2200).plus(LATE));
        assertThat(waiting.getString("lastError.code")).isEqualTo("too.many.requests");

        Retries.awaitStatus(id, "SUCCEEDED");
        assertThat(GenesysStub.requestsTo(executePath(actionId)).get(1).getLoggedDate().toInstant())
                .isAfterOrEqualTo(due.minus(ROUNDING));
    }

    private static void assertWaited(LoggedRequest before, LoggedRequest after, Duration scheduled) {
        assertWaited(before.getLoggedDate().toInstant(), after, scheduled);
    }

    /** The gap is at least the schedule less its 10 % jitter, and less than the schedule plus generous slack. */
    private static void assertWaited(Instant before, LoggedRequest after, Duration scheduled) {
        Duration gap = Duration.between(before, after.getLoggedDate().toInstant());
        assertThat(gap).as("gap before %s", after.getUrl())
                .isGreaterThanOrEqualTo(scheduled.multipliedBy(9).dividedBy(10).minus(ROUNDING))
                .isLessThan(scheduled.plus(LATE));
    }

    /** The gap is at least {@code floor}, and less than {@code ceiling} plus generous slack. */
    private static void assertWaited(LoggedRequest before, LoggedRequest after, Duration floor, Duration ceiling) {
        Duration gap = Duration.between(before.getLoggedDate().toInstant(), after.getLoggedDate().toInstant());
        assertThat(gap).isGreaterThanOrEqualTo(floor.minus(ROUNDING)).isLessThan(ceiling.plus(LATE));
    }
}
