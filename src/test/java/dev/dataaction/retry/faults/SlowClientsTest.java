package dev.dataaction.retry.faults;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Callers on slow lines, who send their body a byte at a time, hold nothing that other callers need: those are answered
 * at once, and the slow ones get their answers when their bodies are complete.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class SlowClientsTest {

    private static final int SLOW_CLIENTS = 20;
    /** After each byte of a slow body: a body of about 120 bytes takes 3.5 s or more. */
    private static final Duration BYTE_PAUSE = Duration.ofMillis(30);
    /**
     * Between the slow clients' last bytes, so that their retries, which end about 0.1 s after acceptance, do not fill
     * the queue (depth 10) all at once.
     */
    private static final Duration STAGGER = Duration.ofMillis(100);
    /** Far below the 3.5 s a slow body takes. */
    private static final Duration PROMPTLY = Duration.ofMillis(1_500);

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    private ExecutorService slowLines;

    @BeforeEach
    void openSlowLines() {
        slowLines = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void closeSlowLines() throws InterruptedException {
        slowLines.shutdownNow();
        assertThat(slowLines.awaitTermination(30, TimeUnit.SECONDS)).as("slow clients stopped").isTrue();
    }

    @Test
    void slowBodiesDoNotDelayOtherCallersAndAreAnsweredWhenComplete() throws Exception {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), GenesysStub.ok("{\"ok\":true}"));
        // a first retry warms the application up, so that the deadlines below are fair
        Retries.awaitStatus(Retries.submitAccepted(actionId, "warm-up", "{}"), "SUCCEEDED");

        List<SlowClient> slow = new ArrayList<>();
        for (int n = 0; n < SLOW_CLIENTS; n++) {
            slow.add(SlowClient.post(Faults.baseUri(), "/v1/retries",
                    Retries.requestJson(actionId, "slow-" + n, "{\"n\":" + n + "}"), BYTE_PAUSE, STAGGER.multipliedBy(n),
                    slowLines));
        }
        await("every slow client sending").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> slow.stream().allMatch(client -> client.bytesSent() > 0));

        assertTimeoutPreemptively(PROMPTLY, () -> {
            String prompt = Retries.submitAccepted(actionId, "prompt", "{}");
            Retries.awaitStatus(prompt, "SUCCEEDED", PROMPTLY);
            Callers.withoutApiKey().get("/q/health/ready").then().statusCode(200);
            assertThat(Retries.listOf(actionId)).hasSize(2);
        }, "a normal caller's submission, retry, readiness and list");
        assertThat(slow).as("slow clients still sending their bodies").noneMatch(SlowClient::bodySent);

        List<String> requestIds = new ArrayList<>();
        for (SlowClient client : slow) {
            SlowClient.Answer answer = client.answer().get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).as("answer %s", answer.body()).isEqualTo(202);
            requestIds.add(Faults.bodyOf(answer.body()).path("requestId").asText());
        }
        Faults.assertEachSucceededWithOneExecution(requestIds);
        assertThat(Retries.listOf(actionId)).hasSize(SLOW_CLIENTS + 2);
        Faults.assertHealthy();
    }
}
