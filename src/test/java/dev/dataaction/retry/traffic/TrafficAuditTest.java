package dev.dataaction.retry.traffic;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.Callers;
import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.LogCapture;
import dev.dataaction.retry.support.LogCapture.Captured;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Every change to what reaches Genesys is in the audit trail: who made it, by the label of their API key (never the
 * key), what they changed, and why when they said so.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
@TestProfile(TrafficProfile.class)
class TrafficAuditTest {

    private static final String REASON = "CRM maintenance until 10:00";

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();
    final LogCapture audit = cleanSlate.capture(LogCapture.AUDIT);

    @AfterEach
    void noAuditRecordRevealsAKey() {
        assertThat(audit.text()).doesNotContain(TrafficProfile.OPS_KEY).doesNotContain(TrafficProfile.OTHER_KEY)
                .doesNotContain(GenesysStub.API_KEY);
        Traffic.restoreServiceLimits();
    }

    @Test
    void aPauseAndAResumeAreAuditedWithTheLabelOfTheKeyThatMadeThem() {
        String actionId = Retries.newActionId();

        Traffic.pause(Callers.withApiKey(TrafficProfile.OPS_KEY), actionId, REASON);
        Traffic.resume(Callers.withApiKey(TrafficProfile.OTHER_KEY), actionId);

        Captured paused = awaitEvent("ACTION_PAUSED", actionId);
        assertThat(paused.level().getName()).isEqualTo("INFO");
        assertThat(paused.field("by")).isEqualTo(TrafficProfile.OPS_LABEL);
        assertThat(paused.field("reason")).isEqualTo(REASON);
        assertThat(paused.message()).startsWith("ACTION_PAUSED ").contains("actionId=" + actionId)
                .contains("by=" + TrafficProfile.OPS_LABEL);
        // a key without a label is named as such
        Captured resumed = awaitEvent("ACTION_RESUMED", actionId);
        assertThat(resumed.field("by")).isEqualTo("unlabelled");
        assertThat(resumed.field("reason")).isNull();
        assertThat(resumed.message()).startsWith("ACTION_RESUMED ").contains("by=unlabelled");
    }

    @Test
    void aPauseWithoutAReasonIsAuditedWithoutOne() {
        String actionId = Retries.newActionId();

        Callers.withApiKey(TrafficProfile.OPS_KEY).post("/v1/actions/" + actionId + "/pause").then().statusCode(200);
        Traffic.resume(actionId);

        Captured paused = awaitEvent("ACTION_PAUSED", actionId);
        assertThat(paused.field("by")).isEqualTo(TrafficProfile.OPS_LABEL);
        assertThat(paused.field("reason")).isNull();
        assertThat(paused.message()).doesNotContain("reason=");
    }

    @Test
    void anActionsLimitsChangeIsAuditedWithTheLimitsSet() {
        String actionId = Retries.newActionId();

        Traffic.setActionLimits(Callers.withApiKey(TrafficProfile.OPS_KEY), actionId, "{\"maxConcurrent\":3}")
                .then().statusCode(200);

        Captured changed = awaitEvent("LIMITS_CHANGED", actionId);
        assertThat(changed.field("by")).isEqualTo(TrafficProfile.OPS_LABEL);
        assertThat(changed.field("maxConcurrent")).isEqualTo("3");
        // the rate returns to the configured one: the event says none was set
        assertThat(changed.field("maxPerSecond")).isEqualTo("null");
        assertThat(changed.message()).startsWith("LIMITS_CHANGED ").contains("maxConcurrent=3");
    }

    @Test
    void theServicesLimitsChangeIsAuditedNamingNoAction() {
        Traffic.setServiceLimits(Callers.withApiKey(TrafficProfile.OPS_KEY), "{\"maxPerSecond\":20}").then()
                .statusCode(200);

        await().atMost(Duration.ofSeconds(2)).until(() -> !audit.events("LIMITS_CHANGED").isEmpty());
        Captured changed = audit.events("LIMITS_CHANGED").getFirst();
        assertThat(changed.field("actionId")).as("the service's limits: no action").isNull();
        assertThat(changed.field("by")).isEqualTo(TrafficProfile.OPS_LABEL);
        assertThat(changed.field("maxPerSecond")).isEqualTo("20.0");
        assertThat(changed.field("maxConcurrent")).isEqualTo("null");
    }

    @Test
    void aChangeRefusedIsNotAudited() {
        String actionId = Retries.newActionId();

        Traffic.setActionLimits(actionId, "{\"maxConcurrent\":0}").then().statusCode(400);
        Traffic.setServiceLimits("{\"maxPerSecond\":-1}").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"reason\":7}").post("/v1/actions/" + actionId + "/pause").then()
                .statusCode(400);
        Callers.withApiKey("not-a-key").post("/v1/actions/" + actionId + "/pause").then().statusCode(401);
        Callers.withoutApiKey().post("/v1/actions/" + actionId + "/resume").then().statusCode(401);

        await("nothing audited").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> List
                .of("ACTION_PAUSED", "ACTION_RESUMED", "LIMITS_CHANGED").stream().allMatch(event -> audit.events(event)
                        .isEmpty()));
    }

    /** The one event of that kind about the action. */
    private Captured awaitEvent(String event, String actionId) {
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> !eventsAbout(event, actionId).isEmpty());
        List<Captured> events = eventsAbout(event, actionId);
        assertThat(events).as(event + " about " + actionId).hasSize(1);
        return events.getFirst();
    }

    private List<Captured> eventsAbout(String event, String actionId) {
        return audit.events(event).stream().filter(record -> actionId.equals(record.field("actionId"))).toList();
    }
}
