package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.PostgresProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With the PostgreSQL store, a stopping instance abandons nothing: the retries it was waiting on are handed back to
 * the database, free for any replica to claim when due. Driven through the pipeline's own shutdown steps, in an
 * application of its own.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(DurableGracefulShutdownTest.Stopping.class)
class DurableGracefulShutdownTest {

    /** Waits up to 10 s are kept on this instance's timers rather than handed back at once. */
    public static class Stopping extends PostgresProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orchestrator.postgres.claim-ahead", "10s", "orchestrator.retry.max-retry-after", "10s");
        }
    }

    @Inject
    RetryPipeline pipeline;

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().keepingRetries();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @Test
    void stoppingHandsWaitingRetriesBackInsteadOfAbandoningThem() {
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("5"));
        String waiting = Retries.submitAccepted(action);
        Retries.awaitRecord(waiting, record -> record.getList("attempts").size() == 1, "its first attempt");
        assertThat(lease(waiting).get("leased_by")).as("held by this instance while it waits").isNotNull();

        pipeline.stopAccepting();
        pipeline.drain(Duration.ofSeconds(5));

        Map<String, Object> row = lease(waiting);
        assertThat(row.get("status")).isEqualTo("PENDING");
        assertThat(row.get("leased_by")).as("free for any replica").isNull();
        assertThat(row.get("due_at")).isNotNull();
        assertThat(audit.eventsOf(waiting)).extracting(LogCapture.Captured::event).doesNotContain("RETRY_ABANDONED");
    }

    private static Map<String, Object> lease(String requestId) {
        List<Map<String, Object>> rows = PostgresDatabase
                .query("SELECT status, leased_by, due_at FROM retries WHERE request_id = '" + requestId + "'");
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }
}
