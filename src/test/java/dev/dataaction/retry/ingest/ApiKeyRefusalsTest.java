package dev.dataaction.retry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.Metrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A flood of requests without a valid API key is counted, one by one, and costs the log a few lines, not one a request.
 * It runs in an application where no other test expects a refusal's own line, as the flood uses up the minute's.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class ApiKeyRefusalsTest {

    private static final int MISSING = 120;
    private static final int UNKNOWN = 80;
    private static final Pattern SUMMARY = Pattern.compile("Refused (\\d+) more requests without a valid API key");

    @Inject
    ApiKeyRefusals refusals;

    LogCapture logs;

    @BeforeEach
    void startAMinute() {
        // whatever earlier requests left in this minute is summed up before the watch begins
        refusals.summarise();
        logs = LogCapture.of(LogCapture.ROOT);
    }

    @AfterEach
    void stopWatching() {
        logs.close();
    }

    @Test
    void refusedRequestsAreCountedEachAndLoggedInAFewLines() {
        String wrongKey = "wrong-" + UUID.randomUUID();
        Metrics before = Metrics.scrape();

        for (int i = 0; i < MISSING; i++) {
            Callers.withoutApiKey().get("/v1/retries/" + UUID.randomUUID()).then().statusCode(401);
        }
        for (int i = 0; i < UNKNOWN; i++) {
            Callers.withApiKey(wrongKey).get("/v1/retries").then().statusCode(401);
        }
        refusals.summarise();

        Metrics after = Metrics.scrape();
        assertThat(after.increaseSince(before, "orchestrator_api_key_refusals_total{reason=\"MISSING\"}"))
                .isEqualTo(MISSING);
        assertThat(after.increaseSince(before, "orchestrator_api_key_refusals_total{reason=\"UNKNOWN\"}"))
                .isEqualTo(UNKNOWN);
        List<Captured> lines = logs.records().stream().filter(line -> line.message().startsWith("Refused ")).toList();
        // the scheduled summary may also end a minute during the flood, which allows one more round of lines
        assertThat(lines).hasSizeLessThanOrEqualTo(2 * (ApiKeyRefusals.LOGGED_PER_MINUTE + 1));
        assertThat(lines.stream().mapToLong(ApiKeyRefusalsTest::refusalsTold).sum())
                .as("the lines account for every refusal").isEqualTo(MISSING + UNKNOWN);
        assertThat(lines.getFirst().message()).isEqualTo("Refused GET RetryResource.get: no API key");
        assertThat(logs.records()).allSatisfy(record -> assertThat(record.everything()).doesNotContain(wrongKey));
    }

    /** A refusal's own line tells one; a summary tells how many it sums up. */
    private static long refusalsTold(Captured line) {
        Matcher summary = SUMMARY.matcher(line.message());
        return summary.find() ? Long.parseLong(summary.group(1)) : 1;
    }
}
