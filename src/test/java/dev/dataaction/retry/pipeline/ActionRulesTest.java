package dev.dataaction.retry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryStatus;
import dev.dataaction.retry.support.Configs;

/**
 * Each action's retry rules, read from the configuration text an operator writes: what
 * {@code orchestrator.actions."<actionId>".retry} sets replaces the service's rule for that action only, and everything
 * it leaves unset follows the service's. Asked as plain functions at instants the test chooses.
 */
class ActionRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");
    private static final Execution.Refused UNAVAILABLE = new Execution.Refused(503, AttemptOutcome.SERVER_ERROR, true,
            Optional.empty(), new LastError(503, "service.unavailable", "down", null));

    private final ActionRules rules = rulesFrom(Map.of(
            "orchestrator.retry.max-attempts", "4",
            "orchestrator.retry.max-duration", "20s",
            "orchestrator.retry.max-retry-after", "3s",
            "orchestrator.actions.\"payment\".retry.max-attempts", "1",
            "orchestrator.actions.\"crm.lookup\".retry.max-attempts", "8",
            "orchestrator.actions.\"crm.lookup\".retry.max-duration", "2m",
            "orchestrator.actions.\"slow\".max-concurrent", "2"));

    @Test
    void anActionWithOneAttemptEndsExhaustedAfterItWhileOthersKeepTheServicesFour() {
        assertThat(rules.of("payment").after(afterAttempt(1), UNAVAILABLE, false, NOW))
                .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, null));
        assertThat(rules.of("unconfigured").after(afterAttempt(1), UNAVAILABLE, false, NOW))
                .isInstanceOf(RetryRules.WaitUntil.class);
        assertThat(rules.of("unconfigured").after(afterAttempt(4), UNAVAILABLE, false, NOW))
                .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, null));
    }

    @Test
    void whatAnActionSetsReplacesOnlyThoseRules() {
        // eight attempts and two minutes, a dot in its id quoted; max-retry-after stays the service's
        assertThat(rules.of("crm.lookup").after(afterAttempt(4), UNAVAILABLE, false, NOW))
                .isInstanceOf(RetryRules.WaitUntil.class);
        assertThat(rules.of("crm.lookup").after(afterAttempt(8), UNAVAILABLE, false, NOW))
                .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, null));
        assertThat(rules.of("crm.lookup").maxDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(rules.of("crm.lookup").maxRetryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(rules.of("payment").maxDuration()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void anActionConfiguredOnlyForItsLimitsFollowsTheServicesRetryPolicy() {
        assertThat(rules.of("slow").maxDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(rules.of("slow").after(afterAttempt(3), UNAVAILABLE, false, NOW))
                .isInstanceOf(RetryRules.WaitUntil.class);
        assertThat(rules.of("slow").after(afterAttempt(4), UNAVAILABLE, false, NOW))
                .isEqualTo(new RetryRules.Finish(RetryStatus.EXHAUSTED, null));
    }

    /** A retry whose attempt {@code number} was just answered 503. */
    private static RetryRules.State afterAttempt(int number) {
        return new RetryRules.State(number, new Attempt(number, NOW, 5, 503, AttemptOutcome.SERVER_ERROR),
                NOW.plus(Duration.ofMinutes(10)), null);
    }

    private static ActionRules rulesFrom(Map<String, String> properties) {
        return new ActionRules(Configs.orchestrator(properties));
    }
}
