package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static dev.dataaction.retry.support.GenesysActions.answers;
import static dev.dataaction.retry.support.GenesysActions.json;
import static dev.dataaction.retry.support.GenesysActions.newActionId;
import static dev.dataaction.retry.support.GenesysActions.success;
import static dev.dataaction.retry.support.GenesysActions.unavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.github.tomakehurst.wiremock.http.Fault;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysActions;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.OperationsProfile;
import dev.dataaction.retry.support.Retries;
import dev.dataaction.retry.support.WebhookReceiverStub;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A webhook receiver that resets every connection: the retries end as they would without a webhook, each event is tried
 * a bounded number of times, and deliveries work again once the receiver does.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(OperationsProfile.class)
class WebhookConnectionResetTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys().andWebhookReceiver();
    private final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    /** The retries cancelled after a test that failed half-way are delivered to a receiver that answers again. */
    @AfterEach
    void letTheReceiverAnswer() {
        WebhookReceiverStub.reset();
    }

    @Test
    void receiverResettingConnectionsLeavesEveryRetryToFinishAsItWould() {
        String succeeding = newActionId();
        answers(succeeding, success("{\"ticket\":\"T-1\"}"));
        WebhookReceiverStub.server().stubFor(any(anyUrl()).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Map<String, String> expected = new LinkedHashMap<>();
        for (int run = 0; run < 3; run++) {
            // an action of its own for each failing retry, so that no breaker opens
            String failing = newActionId();
            String exhausting = newActionId();
            answers(failing, json(400, GenesysActions.error(400, "bad.request", "The remote endpoint refused it")));
            answers(exhausting, unavailable());
            expected.put(Retries.submitAccepted(succeeding, "run-" + run, "{}"), "SUCCEEDED");
            expected.put(Retries.submitAccepted(failing, "run-" + run, "{}"), "FAILED");
            expected.put(Retries.submitAccepted(exhausting, "run-" + run, "{}"), "EXHAUSTED");
        }

        expected.forEach((requestId, status) -> {
            JsonPath record = Retries.awaitRecord(requestId, Retries::isFinished, "a terminal status");
            assertThat(record.getString("status")).as("outcome of %s", requestId).isEqualTo(status);
            assertThat(record.getList("attempts")).hasSize(status.equals("EXHAUSTED") ? 4 : 1);
            Faults.assertExecutedAsRecorded(requestId, record);
        });
        Faults.assertHealthy();
        int tries = OperationsProfile.WEBHOOK_MAX_ATTEMPTS;
        await("every event tried and given up").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> expected.keySet().stream().allMatch(requestId -> webhookFailures(requestId).size() == tries));
        assertThat(expected.keySet()).allSatisfy(requestId -> assertThat(webhookFailures(requestId))
                .extracting(failure -> failure.field("attempt")).containsExactly("1", "2", "3"));
        // a fourth try would follow the third within about 2 s
        await("no more tries").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> expected.keySet()
                .stream().allMatch(requestId -> WebhookReceiverStub.deliveriesMentioning(requestId).size() == tries));

        // the receiver recovers: the next event is delivered, nothing was left holding the deliveries up
        WebhookReceiverStub.reset();
        String afterwards = Retries.submitAccepted(succeeding, "afterwards", "{}");
        Retries.awaitStatus(afterwards, "SUCCEEDED");
        await("delivery after the recovery").atMost(Duration.ofSeconds(5))
                .until(() -> WebhookReceiverStub.deliveriesMentioning(afterwards).size() == 1);
        assertThat(webhookFailures(afterwards)).isEmpty();
        assertThat(Retries.listOf(succeeding)).hasSize(4);
        Faults.assertHealthy();
    }

    private List<LogCapture.Captured> webhookFailures(String requestId) {
        return audit.eventsOf(requestId, "WEBHOOK_FAILURE");
    }
}
