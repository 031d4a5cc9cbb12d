package dev.dataaction.retry.durable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
 * A replica started while PostgreSQL is down does not exit: it reports readiness DOWN, refuses submissions with 503, and
 * takes retries as soon as the database answers and its schema is migrated.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(DatabaseDownAtStartTest.DatabaseDown.class)
class DatabaseDownAtStartTest {

    /** The application reaches PostgreSQL through a {@link TcpProxy} that refuses connections until the test restores it. */
    public static class DatabaseDown implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(UnreachableDatabase.class));
        }
    }

    /** An empty database, behind a proxy that is cut before the application starts. */
    public static class UnreachableDatabase implements QuarkusTestResourceLifecycleManager {

        static volatile TcpProxy proxy;

        @Override
        public Map<String, String> start() {
            PostgresDatabase.dropSchema();
            URI database = URI.create(PostgresDatabase.URL);
            proxy = new TcpProxy(database.getHost(), database.getPort());
            proxy.cut();
            return PostgresDatabase.settings("postgresql://127.0.0.1:" + proxy.port() + database.getRawPath());
        }

        @Override
        public void stop() {
            proxy.close();
        }
    }

    @Test
    void aReplicaStartedWhileTheDatabaseIsDownWaitsNotReadyAndTakesRetriesOnceItAnswers() {
        assertThat(Retries.readiness().getString("status")).isEqualTo("DOWN");
        assertThat(Retries.readiness().getBoolean("checks.find { it.name == 'retries' }.data.storeReachable")).isFalse();
        String action = Retries.newActionId();
        GenesysStub.stubSequence(GenesysStub.executePath(action), GenesysStub.ok("{}"));
        Response refused = Retries.submit(Retries.requestJson(action, "run-early", "{}"));
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
        assertThat(refused.<String> path("type")).isEqualTo(Retries.PROBLEM_TYPE_PREFIX + "store-unavailable");

        UnreachableDatabase.proxy.restore();

        await("readiness UP once the schema is migrated").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).until(() -> "UP".equals(Retries.readiness().getString("status")));
        String id = Retries.submitAccepted(action, "run-early", "{}");
        Retries.awaitStatus(id, "SUCCEEDED");
        given().get("/v1/retries/" + id).then().statusCode(200);
    }
}
