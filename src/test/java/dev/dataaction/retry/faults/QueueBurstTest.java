package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Metrics;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Ten times the queue's depth of distinct retries at once, while the action holds every accepted one: exactly the depth
 * is accepted, the rest is refused with 429 and nothing half-done, and every slot comes back once the action answers.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class QueueBurstTest {

    private static final String ACCEPTED = "orchestrator_retries_accepted_total";
    private static final String REJECTED_QUEUE_FULL = "orchestrator_retries_rejected_total{reason=\"QUEUE_FULL\"}";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void burstOfTenTimesTheDepthAcceptsTheDepthAndFinishesEveryAcceptedRetry() {
        Retries.awaitQueueEmpty();
        int depth = Retries.queueCapacity();
        int burst = 10 * depth;
        String prefix = Retries.newActionId();
        // each key has an action of its own, so that no breaker opens; every action holds its retry
        // (429 with Retry-After: 3, four attempts in all) until it is released
        StubMapping hold = GenesysStub.server().stubFor(post(urlMatching(executePath(prefix + "-[0-9]+")))
                .willReturn(GenesysStub.rateLimited("3")));
        Metrics before = Metrics.scrape();
        List<String> bodies = IntStream.range(0, burst)
                .mapToObj(n -> Retries.requestJson(prefix + "-" + n, "run-" + n, "{\"n\":" + n + "}")).toList();

        List<HttpResponse<String>> answers = Faults.postAllAtOnce("/v1/retries", bodies);

        List<Integer> accepted = new ArrayList<>();
        for (int n = 0; n < burst; n++) {
            HttpResponse<String> answer = answers.get(n);
            if (answer.statusCode() == 202) {
                accepted.add(n);
            } else {
                assertQueueFull(answer, depth);
            }
        }
        assertThat(accepted).as("accepted of %d", burst).hasSize(depth);
        JsonPath full = Callers.withoutApiKey().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
        assertThat(full.getInt("checks.find { it.name == 'retries' }.data.inUse")).isEqualTo(depth);
        Metrics during = Metrics.scrape();
        assertThat(during.increaseSince(before, ACCEPTED)).isEqualTo(depth);
        assertThat(during.increaseSince(before, REJECTED_QUEUE_FULL)).isEqualTo(burst - depth);
        assertThat(during.value("orchestrator_queue_in_use")).isEqualTo(depth);

        List<String> requestIds = accepted.stream().map(n -> Faults.requestIdOf(answers.get(n))).toList();
        for (String requestId : requestIds) {
            Retries.awaitRecord(requestId, record -> "PENDING".equals(record.getString("status"))
                    && !record.getList("attempts").isEmpty(), "held after its first attempt");
        }

        // released before the fourth attempt, about 9 s after acceptance, would exhaust the retries
        GenesysStub.server().removeStub(hold);
        GenesysStub.server().stubFor(post(urlMatching(executePath(prefix + "-[0-9]+")))
                .willReturn(GenesysStub.ok("{\"released\":true}")));

        for (int i = 0; i < accepted.size(); i++) {
            int n = accepted.get(i);
            String requestId = requestIds.get(i);
            JsonPath record = Retries.awaitStatus(requestId, "SUCCEEDED");
            List<String> outcomes = record.getList("attempts.outcome");
            assertThat(outcomes).as("attempts of %d", n).endsWith("SUCCESS").hasSizeBetween(2, 4);
            assertThat(outcomes.subList(0, outcomes.size() - 1)).containsOnly("RATE_LIMITED");
            assertThat(GenesysStub.countOf(executePath(prefix + "-" + n))).as("executions of %d", n)
                    .isEqualTo(record.getList("attempts").size());
            assertThat(Retries.listOf(prefix + "-" + n)).hasSize(1);
        }
        IntStream.range(0, burst).filter(n -> !accepted.contains(n)).forEach(n -> {
            assertThat(Retries.listOf(prefix + "-" + n)).as("stored for refused %d", n).isEmpty();
            assertThat(GenesysStub.countOf(executePath(prefix + "-" + n))).as("executions of refused %d", n).isZero();
        });
        Faults.assertHealthy();
        assertThat(Metrics.scrape().value("orchestrator_queue_in_use")).isZero();
    }

    private static void assertQueueFull(HttpResponse<String> answer, int depth) {
        assertThat(answer.statusCode()).as("answer %s", answer.body()).isEqualTo(429);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(Retries.PROBLEM_JSON));
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("2");
        JsonNode problem = Faults.bodyOf(answer);
        assertThat(problem.path("type").asText()).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "queue-full");
        assertThat(problem.path("limit").asInt()).isEqualTo(depth);
    }
}
