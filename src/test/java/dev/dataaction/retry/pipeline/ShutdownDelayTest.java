package dev.dataaction.retry.pipeline;

import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.rateLimited;
import static dev.dataaction.retry.support.GenesysActions.success;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Between SIGTERM and the application's stop lies the shutdown delay, while traffic moves elsewhere. A retry whose answer
 * arrives in that delay and that must wait for its next attempt is still this instance's: at the stop it is reported
 * abandoned like every other unfinished retry, never dropped without a trace.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(ShutdownDelayTest.Stopping.class)
class ShutdownDelayTest {

    /** An application of its own, since it refuses retries once told to stop, with a delay as in production. */
    public static class Stopping implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orchestrator.retry.max-retry-after", "10s", "quarkus.shutdown.delay", "2s");
        }
    }

    @Inject
    RetryPipeline pipeline;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().keepingRetries();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void aRetryThatStartsWaitingDuringTheShutdownDelayIsReportedAbandonedAtTheStop() {
        String action = newActionId();
        answers(action, rateLimited(5).withFixedDelay(1_000), success("{}"));
        String retry = Retries.submitAccepted(action);
        Retries.awaitStatus(retry, "IN_FLIGHT");

        pipeline.stopAccepting();
        // its answer comes during the delay, and it starts waiting for its second attempt
        await().atMost(Duration.ofSeconds(10)).until(() -> !audit.eventsOf(retry, "RETRY_ATTEMPT").isEmpty());
        pipeline.drain(Duration.ofSeconds(5));

        List<Captured> abandoned = audit.eventsOf(retry, "RETRY_ABANDONED");
        assertThat(abandoned).as("the retry left unfinished at the stop is in the audit trail").hasSize(1);
        assertThat(abandoned.getFirst().field("status")).isEqualTo("PENDING");
    }
}
