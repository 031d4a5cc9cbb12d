package dev.dataaction.retry.durable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.PostgresDatabase;
import dev.dataaction.retry.support.Retries;
import dev.dataaction.retry.support.TcpProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The database becomes unreachable, or stops answering: submissions are refused with 503 and Retry-After, nothing is
 * half-written, readiness goes DOWN, and the retries accepted before carry on once it is back.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(StoreOutageTest.BehindProxy.class)
class StoreOutageTest {

    /** The application reaches PostgreSQL through a {@link TcpProxy} that the test can cut or freeze. */
    public static class BehindProxy implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orchestrator.postgres.query-timeout", "1s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ProxiedDatabase.class));
        }
    }

    /** An empty database, behind a proxy. */
    public static class ProxiedDatabase implements QuarkusTestResourceLifecycleManager {

        static volatile TcpProxy proxy;

        @Override
        public Map<String, String> start() {
            PostgresDatabase.dropSchema();
            URI database = URI.create(PostgresDatabase.URL);
            proxy = new TcpProxy(database.getHost(), database.getPort());
            return PostgresDatabase.settings(
                    "postgresql://127.0.0.1:" + proxy.port() + database.getRawPath());
        }

        @Override
        public void stop() {
            proxy.close();
        }
    }

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    /** The database is back before the retries a test left are cancelled. */
    @AfterEach
    void reconnect() {
        ProxiedDatabase.proxy.restore();
        awaitReady(true);
    }

    @Test
    void submissionsGet503DuringAnOutageAndAcceptedRetriesCarryOnAfterIt() {
        String action = Retries.newActionId();
        String accepted = waitingOnItsSecondAttempt(action);

        ProxiedDatabase.proxy.cut();
        Response refused = Retries.submit(Retries.requestJson(action, "run-during", "{}"));

        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith(Retries.PROBLEM_JSON);
        assertThat(refused.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "store-unavailable");
        assertThat(refused.header("Retry-After")).isEqualTo("2");
        given().get("/v1/retries/" + accepted).then().statusCode(503).contentType(Retries.PROBLEM_JSON)
                .header("Retry-After", "2");
        awaitReady(false);
        assertThat(Retries.readiness().getBoolean("checks.find { it.name == 'retries' }.data.storeReachable"))
                .isFalse();

        ProxiedDatabase.proxy.restore();
        awaitReady(true);
        Retries.awaitStatus(accepted, "SUCCEEDED");
        assertThat(PostgresDatabase.query("SELECT 1 FROM retries WHERE original_run_id = 'run-during'"))
                .as("the refused submission left nothing behind").isEmpty();
        Retries.submitNew(Retries.requestJson(action, "run-during", "{}"));
    }

    @Test
    void aDatabaseThatStopsAnsweringGets503AfterTheQueryTimeoutAndAnUnknownOutcomeIsSettledBySubmittingAgain() {
        String accepted = waitingOnItsSecondAttempt(Retries.newActionId());
        String other = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(other), GenesysStub.ok("{}"));

        ProxiedDatabase.proxy.freeze();
        Response unanswered = Retries.submit(Retries.requestJson(other, "run-while-frozen", "{}"));

        assertThat(unanswered.statusCode()).as(unanswered.asString()).isEqualTo(503);
        assertThat(unanswered.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "store-unavailable");
        assertThat(unanswered.<String> path("detail")).contains("may yet be stored");
        assertThat(unanswered.header("Retry-After")).isEqualTo("2");
        awaitReady(false);

        ProxiedDatabase.proxy.restore();
        awaitReady(true);
        Retries.awaitStatus(accepted, "SUCCEEDED");
        // whether or not the held INSERT was applied once the database answered, the same submission now yields one retry
        Response again = Retries.submit(Retries.requestJson(other, "run-while-frozen", "{}"));
        assertThat(again.statusCode()).as(again.asString()).isIn(200, 202);
        Retries.awaitStatus(again.path("requestId"), "SUCCEEDED");
        assertThat(PostgresDatabase.query("SELECT request_id FROM retries WHERE original_run_id = 'run-while-frozen'"))
                .hasSize(1);
        assertThat(GenesysStub.requestsTo(GenesysStub.executePath(other))).hasSize(1);
    }

    /** A retry accepted before the outage: rate limited on its first attempt, it succeeds on its second, 2 s later. */
    private static String waitingOnItsSecondAttempt(String action) {
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.rateLimited("2"), GenesysStub.ok("{}"));
        String accepted = Retries.submitAccepted(action, "run-before", "{}");
        Retries.awaitRecord(accepted, record -> record.getList("attempts").size() == 1, "its first attempt");
        return accepted;
    }

    private static void awaitReady(boolean up) {
        await("readiness " + (up ? "UP" : "DOWN")).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> "UP".equals(Retries.readiness().getString("status")) == up);
    }
}
