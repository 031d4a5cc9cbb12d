package dev.dataaction.retry.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresProfile;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * With a shared store, the bound on accepted retries is the backlog counted in the database
 * ({@code orchestrator.queue.max-backlog}), not this instance's permits: retries beyond its permits are accepted and
 * driven as permits free up.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(BacklogTest.SmallBacklog.class)
class BacklogTest {

    static final int MAX_BACKLOG = 14;

    /** A backlog a little larger than the instance's 10 permits. */
    public static class SmallBacklog extends PostgresProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orchestrator.queue.max-backlog", Integer.toString(MAX_BACKLOG));
        }
    }

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void acceptsUpToTheBacklogThenAnswers429AndRunsEveryAcceptedRetry() {
        String action = Retries.newActionId();
        String path = GenesysStub.executePath(action);
        GenesysStub.stubSequence(path, GenesysStub.rateLimited("2"));
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < MAX_BACKLOG; i++) {
            accepted.add(Retries.submitAccepted(action, "run-" + i, "{}"));
        }

        Response refused = Retries.submit(Retries.requestJson(action, "run-over", "{}"));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith(Retries.PROBLEM_JSON);
        assertThat(refused.header("Retry-After")).isEqualTo("2");
        assertThat(refused.<Integer> path("limit")).isEqualTo(MAX_BACKLOG);
        GenesysStub.stubSequence(path, GenesysStub.ok("{}"));
        accepted.forEach(id -> Retries.awaitStatus(id, "SUCCEEDED"));
        assertThat(Retries.readiness().getString("status")).isEqualTo("UP");
        Retries.submitNew(Retries.requestJson(action, "run-over", "{}"));
    }
}
