package dev.dataaction.retry.durable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
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

    /** The application reaches PostgreSQL through a proxy that refuses connections until the test restores it. */
    public static class DatabaseDown implements QuarkusTestProfile {

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(UnreachableDatabase.class));
        }
    }

    /** An empty database, behind a proxy that is cut before the application starts. */
    public static class UnreachableDatabase extends StoreOutageTest.ProxiedDatabase {

        @Override
        public Map<String, String> start() {
            Map<String, String> settings = super.start();
            proxy.cut();
            return settings;
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

        StoreOutageTest.ProxiedDatabase.proxy.restore();

        await("readiness UP once the schema is migrated").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).until(() -> "UP".equals(Retries.readiness().getString("status")));
        String id = Retries.submitAccepted(action, "run-early", "{}");
        Retries.awaitStatus(id, "SUCCEEDED");
        given().get("/v1/retries/" + id).then().statusCode(200);
    }
}
