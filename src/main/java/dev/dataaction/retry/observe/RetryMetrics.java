package dev.dataaction.retry.observe;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.dataaction.retry.genesys.ActionBreakers;
import dev.dataaction.retry.pipeline.AttemptGate;
import dev.dataaction.retry.pipeline.Capacity;
import dev.dataaction.retry.pipeline.RejectionReason;
import dev.dataaction.retry.pipeline.TrafficControls;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.RetryStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The service's Micrometer meters, scraped at {@code /q/metrics}. Tags come from closed sets only (outcomes, statuses,
 * rejection reasons), so their cardinality is bounded; nothing is tagged per request or per action.
 */
@ApplicationScoped
public class RetryMetrics {

    private final Counter accepted;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Map<AttemptOutcome, Counter> attempts = new EnumMap<>(AttemptOutcome.class);
    private final Map<RetryStatus, Counter> completed = new EnumMap<>(RetryStatus.class);
    private final Timer latency;
    private final Timer attemptDuration;
    private final Counter tokenFailures;

    RetryMetrics(MeterRegistry registry, Capacity queue, ActionBreakers breakers, TrafficControls traffic) {
        accepted = Counter.builder("orchestrator.retries.accepted").description("Retries accepted").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, Counter.builder("orchestrator.retries.rejected").description("Submissions not accepted")
                    .tag("reason", reason.name()).register(registry));
        }
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            attempts.put(outcome, Counter.builder("orchestrator.attempts").description("Attempts by outcome")
                    .tag("outcome", outcome.name()).register(registry));
        }
        for (RetryStatus status : RetryStatus.values()) {
            if (status.isFinished()) {
                completed.put(status, Counter.builder("orchestrator.retries.completed")
                        .description("Retries that reached a terminal status").tag("status", status.name())
                        .register(registry));
            }
        }
        // buckets only: percentiles computed here would cost every retry a write to several rotating histograms, and
        // could not be added up across replicas; histogram_quantile over the buckets gives them
        latency = Timer.builder("orchestrator.retry.latency").description("From acceptance to the terminal status")
                .publishPercentileHistogram().register(registry);
        attemptDuration = Timer.builder("orchestrator.attempt.duration").description("One call to Genesys")
                .publishPercentileHistogram().register(registry);
        tokenFailures = Counter.builder("orchestrator.token.failures")
                .description("Token requests to the login service that failed").register(registry);
        Gauge.builder("orchestrator.queue.in-use", queue, Capacity::inUse).description("Unfinished retries held")
                .register(registry);
        Gauge.builder("orchestrator.queue.capacity", queue, Capacity::capacity)
                .description("Unfinished retries this instance holds at most").register(registry);
        Gauge.builder("orchestrator.circuit.open", breakers, ActionBreakers::openCount)
                .description("Circuit breakers that refuse calls now").register(registry);
        limits(registry, traffic);
    }

    /**
     * The limits on what reaches Genesys, on this replica: its share of the configured ones and the effective ones, as
     * adapted to 429s (NaN for a rate when none is set). Tags name the value, never an action: a closed set.
     */
    private static void limits(MeterRegistry registry, TrafficControls traffic) {
        for (String value : List.of("configured", "effective")) {
            boolean configured = value.equals("configured");
            Gauge.builder("orchestrator.limits.concurrency", traffic, controls -> {
                AttemptGate.ServiceTraffic service = controls.serviceTraffic();
                return configured ? share(service.configured().maxConcurrent(), service.replicas())
                        : orNaN(service.effective().maxConcurrent());
            }).tag("value", value).description("Attempts on the wire at once this replica allows").register(registry);
            Gauge.builder("orchestrator.limits.rate", traffic, controls -> {
                AttemptGate.ServiceTraffic service = controls.serviceTraffic();
                return configured ? share(service.configured().maxPerSecond(), service.replicas())
                        : orNaN(service.effective().maxPerSecond());
            }).tag("value", value).description("Attempts started per second this replica allows").register(registry);
        }
        Gauge.builder("orchestrator.attempts.in-flight", traffic, controls -> controls.serviceTraffic().inFlight())
                .description("Attempts on the wire").register(registry);
        Gauge.builder("orchestrator.attempts.waiting", traffic, controls -> controls.serviceTraffic().waiting())
                .description("Due retries waiting for a slot under the limits").register(registry);
        Gauge.builder("orchestrator.actions.paused", traffic, TrafficControls::pausedActions)
                .description("Actions paused by an operator").register(registry);
        Gauge.builder("orchestrator.actions.rate-limited", traffic, TrafficControls::rateLimitedActions)
                .description("Actions whose retries a Retry-After from Genesys holds now").register(registry);
    }

    private static double share(Number total, int replicas) {
        return total == null ? Double.NaN : total.doubleValue() / replicas;
    }

    private static double orNaN(Number value) {
        return value == null ? Double.NaN : value.doubleValue();
    }

    void accepted() {
        accepted.increment();
    }

    void rejected(RejectionReason reason) {
        rejected.get(reason).increment();
    }

    void attempted(AttemptOutcome outcome, long durationMs) {
        attempts.get(outcome).increment();
        attemptDuration.record(Duration.ofMillis(durationMs));
    }

    void completed(RetryStatus status, Duration sinceAcceptance) {
        completed.get(status).increment();
        latency.record(sinceAcceptance);
    }

    void tokenFailed() {
        tokenFailures.increment();
    }
}
