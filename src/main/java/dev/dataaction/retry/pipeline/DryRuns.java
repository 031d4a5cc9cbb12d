package dev.dataaction.retry.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataaction.retry.config.OrchestratorConfig;
import dev.dataaction.retry.genesys.ActionRequest;
import dev.dataaction.retry.genesys.Execution;
import dev.dataaction.retry.genesys.GenesysGateway;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.RetryRecord;
import dev.dataaction.retry.store.RetryStore;
import dev.dataaction.retry.store.StoredSubmission;
import io.smallrye.mutiny.Uni;

/**
 * Dry runs: a stored retry's action run once through Genesys' test endpoint, with the retry's payload, so that an
 * operator sees what the action would do now before redriving it. The retry is not changed. The call takes its place
 * under the traffic limits as an attempt does ({@link AttemptGate}), and a 429 it meets holds and slows the action's
 * retries as theirs would; it passes the action's pause and its circuit breaker, since checking an action that is held
 * back is what a dry run is for.
 */
@ApplicationScoped
public class DryRuns {

    /** What came of asking for a dry run. */
    public sealed interface Outcome {

        /** No retry has that id. */
        record NotFound() implements Outcome {
        }

        /** The limits gave no slot within {@code orchestrator.limits.dry-run-wait}; nothing was sent. */
        record Busy(Duration retryAfter) implements Outcome {
        }

        /** Genesys ran the action and reported how it went ({@code operations}, {@code success}, ...). */
        record Reported(RetryRecord retry, JsonNode report, long durationMs) implements Outcome {
        }

        /** Genesys refused the dry run itself, with {@code httpStatus} and its error body read into {@code error}. */
        record Refused(RetryRecord retry, int httpStatus, LastError error, Optional<Duration> retryAfter)
                implements
                    Outcome {
        }

        /** No answer came, or no access token could be had; {@code reason} says which. */
        record Unanswered(RetryRecord retry, LastError reason) implements Outcome {
        }
    }

    private final RetryStore store;
    private final AttemptGate gate;
    private final GenesysGateway gateway;
    private final Event<RetryEvent> events;
    private final Duration slotWait;

    DryRuns(RetryStore store, AttemptGate gate, GenesysGateway gateway, Event<RetryEvent> events,
            OrchestratorConfig config) {
        this.store = store;
        this.gate = gate;
        this.gateway = gateway;
        this.events = events;
        this.slotWait = config.limits().dryRunWait();
    }

    /** Whether Genesys offers dry runs in the mode the service runs in. */
    public boolean available() {
        return gateway.testsActions();
    }

    /**
     * Runs retry {@code requestId}'s action once through Genesys' test endpoint.
     *
     * @param by the label of the API key that asked, for the audit trail
     */
    public Uni<Outcome> test(UUID requestId, String by) {
        return store.submission(requestId).chain(found -> found.isEmpty()
                ? Uni.createFrom().item(new Outcome.NotFound())
                : test(found.get(), by));
    }

    private Uni<Outcome> test(StoredSubmission stored, String by) {
        RetryRecord retry = stored.retry();
        Instant now = Instant.now();
        return gate.take(retry.actionId(), now, now.plus(slotWait)).chain(slot -> {
            if (slot.isEmpty()) {
                return Uni.createFrom().item(new Outcome.Busy(slotWait));
            }
            // attempt 0: the dry run is no attempt of the retry's
            ActionRequest request = new ActionRequest(retry.requestId(), retry.actionId(), retry.originalRunId(),
                    stored.payload(), retry.flatten(), 0);
            long started = System.nanoTime();
            return gateway.test(request).invoke(slot.get()::release).<Outcome> map(execution -> {
                long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                events.fire(new RetryEvent.Tested(request, by, execution, durationMs));
                return switch (execution) {
                    case Execution.Succeeded answer -> new Outcome.Reported(retry, answer.result(), durationMs);
                    case Execution.Refused refused when refused.httpStatus() != null ->
                        new Outcome.Refused(retry, refused.httpStatus(), refused.error(), refused.retryAfter());
                    case Execution.Refused unanswered -> new Outcome.Unanswered(retry, unanswered.error());
                    case Execution.Held held -> new Outcome.Unanswered(retry, held.reason());
                };
            }).onTermination().invoke(() -> slot.get().release(null));
        });
    }
}
