package dev.dataaction.retry.genesys;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.dataaction.retry.config.GenesysConfig;
import dev.dataaction.retry.genesys.ActionBreakers.ActionBreaker;
import dev.dataaction.retry.store.AttemptOutcome;
import dev.dataaction.retry.store.LastError;
import dev.dataaction.retry.store.Retry;
import io.quarkus.oidc.client.OidcClientException;
import io.smallrye.mutiny.Uni;

/**
 * The one way to Genesys: sends an attempt through the action's circuit breaker and classifies what comes back. Only
 * retryable answers (408, 429, 5xx, timeouts, broken connections) count against the breaker; an answer that shows
 * Genesys working, such as a 400 or a 404, does not.
 */
@ApplicationScoped
public class GenesysGateway {

    private static final TypeLiteral<Uni<Execution>> EXECUTION = new TypeLiteral<>() {
    };
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 429, 500, 502, 503, 504);
    private static final int MAX_MESSAGE_LENGTH = 500;
    private static final Logger LOG = Logger.getLogger(GenesysGateway.class);

    /** Carries a retryable answer through the breaker, which counts it as a failure. */
    static final class RetryableAnswer extends RuntimeException {
        final Execution.Refused refused;

        RetryableAnswer(Execution.Refused refused) {
            super(null, null, false, false);
            this.refused = refused;
        }
    }

    private final GenesysActionsApi api;
    private final ActionBreakers breakers;
    private final GenesysConfig.InvokerMode mode;
    private final ObjectMapper json;
    private final Duration tokenRecheck;

    GenesysGateway(@RestClient GenesysActionsApi api, ActionBreakers breakers, GenesysConfig config, ObjectMapper json) {
        this.api = api;
        this.breakers = breakers;
        this.mode = config.mode();
        this.json = json;
        this.tokenRecheck = config.tokenRecheckInterval();
    }

    /** Executes the retry's action once. The returned {@code Uni} never fails: every outcome is an {@link Execution}. */
    public Uni<Execution> execute(Retry retry, int attempt) {
        ActionBreaker breaker = breakers.forAction(retry.actionId());
        return breaker.guard.get(() -> send(retry, attempt), EXECUTION)
                .onFailure(RetryableAnswer.class).recoverWithItem(failure -> ((RetryableAnswer) failure).refused)
                .onFailure(CircuitBreakerOpenException.class).recoverWithItem(() -> circuitOpen(breaker))
                .onFailure(TokenUnavailable.class).recoverWithItem(this::tokenUnavailable)
                .onFailure().recoverWithItem(GenesysGateway::internalError);
    }

    private Uni<Execution> send(Retry retry, int attempt) {
        String correlationId = retry.requestId().toString();
        Uni<Response> answer = switch (mode) {
            case EXECUTE -> api.execute(retry.actionId(), correlationId, body(retry.payload()));
            case RUNS -> api.submitRun(retry.actionId(), correlationId, body(new RunSubmission(retry.payload(),
                    new RunSubmission.Metadata(retry.originalRunId(), attempt, correlationId))));
        };
        return answer
                .onFailure(GenesysGateway::isTokenFailure).transform(TokenUnavailable::new)
                .onFailure(failure -> !(failure instanceof TokenUnavailable)).transform(GenesysGateway::noAnswer)
                .map(this::classify);
    }

    /** A JSON tree or record always writes; a failure here is a bug, and the attempt ends as an internal error. */
    private byte[] body(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException unwritable) {
            throw new IllegalStateException("the request body could not be written as JSON", unwritable);
        }
    }

    private Execution classify(Response response) {
        int status = response.getStatus();
        String body = response.hasEntity() ? response.readEntity(String.class) : null;
        if (status >= 200 && status < 300) {
            JsonNode result = parse(body);
            String runId = mode == GenesysConfig.InvokerMode.RUNS && result != null ? result.path("id").asText(null) : null;
            return new Execution.Succeeded(status, result, runId);
        }
        boolean retryable = RETRYABLE_STATUSES.contains(status);
        Execution.Refused refused = new Execution.Refused(status, outcomeOf(status), retryable,
                retryable ? RetryAfter.parse(response.getHeaderString("Retry-After"), Instant.now()) : Optional.empty(),
                errorOf(status, body));
        if (retryable) {
            throw new RetryableAnswer(refused);
        }
        return refused;
    }

    private static AttemptOutcome outcomeOf(int status) {
        return switch (status) {
            case 401, 403 -> AttemptOutcome.AUTH_REJECTED;
            case 408 -> AttemptOutcome.TIMEOUT;
            case 429 -> AttemptOutcome.RATE_LIMITED;
            default -> status >= 500 ? AttemptOutcome.SERVER_ERROR : AttemptOutcome.CLIENT_ERROR;
        };
    }

    /** Reads Genesys' standard error body; whatever else came is summarised by its status alone. */
    private LastError errorOf(int status, String body) {
        JsonNode error = parse(body);
        if (error == null || !error.isObject()) {
            return new LastError(status, null, "HTTP " + status, null);
        }
        String message = error.path("message").asText("HTTP " + status);
        if (message.length() > MAX_MESSAGE_LENGTH) {
            message = message.substring(0, MAX_MESSAGE_LENGTH);
        }
        return new LastError(status, error.path("code").asText(null), message, error.path("contextId").asText(null));
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException notJson) {
            return TextNode.valueOf(body);
        }
    }

    /** A timeout or a broken connection: retryable, and counted by the breaker. */
    private static RetryableAnswer noAnswer(Throwable failure) {
        boolean timeout = causes(failure, cause -> cause.getClass().getSimpleName().contains("Timeout"));
        AttemptOutcome outcome = timeout ? AttemptOutcome.TIMEOUT : AttemptOutcome.NETWORK_ERROR;
        String message = timeout ? "no answer within the timeout"
                : "connection failed: " + rootOf(failure).getClass().getSimpleName();
        return new RetryableAnswer(new Execution.Refused(null, outcome, true, Optional.empty(),
                new LastError(null, timeout ? "timeout" : "network.error", message, null)));
    }

    /**
     * The breaker refused the call. While it is open the retry waits until it half-opens; once it is half-open (its
     * trial call is on the wire) the moment is unknown, and the pipeline waits a backoff delay instead of spinning.
     */
    private Execution circuitOpen(ActionBreaker breaker) {
        Instant halfOpens = breakers.halfOpensAt(breaker);
        return new Execution.Held(Execution.HeldBy.CIRCUIT_OPEN,
                halfOpens.isAfter(Instant.now()) ? Optional.of(halfOpens) : Optional.empty(),
                new LastError(null, "circuit.open", "the action's circuit breaker is open", null));
    }

    /**
     * No token: the retry waits one token recheck interval, the pace at which the login service is probed anyway, rather
     * than its backoff delay, which does not grow while no attempt is made.
     */
    private Execution tokenUnavailable() {
        return new Execution.Held(Execution.HeldBy.TOKEN_UNAVAILABLE, Optional.of(Instant.now().plus(tokenRecheck)),
                new LastError(null, "token.unavailable", "no access token could be obtained from the login service", null));
    }

    /** A failure no classification foresaw, such as a bug: it ends the retry visibly instead of looping. */
    private static Execution internalError(Throwable failure) {
        LOG.errorf(failure, "Unexpected failure while executing an action");
        return new Execution.Refused(null, AttemptOutcome.CLIENT_ERROR, false, Optional.empty(),
                new LastError(null, "internal.error", "the attempt failed on an internal error", null));
    }

    /**
     * Whether the call failed while {@link GenesysTokenFilter} was getting a token, before anything was sent: the filter
     * reports every such failure as an {@link OidcClientException}.
     */
    private static boolean isTokenFailure(Throwable failure) {
        return causes(failure, cause -> cause instanceof OidcClientException);
    }

    private static boolean causes(Throwable failure, Predicate<Throwable> test) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (test.test(cause)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootOf(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The OIDC client could not get a token; nothing reached Genesys, so the breaker does not count it. */
    static final class TokenUnavailable extends RuntimeException {
        TokenUnavailable(Throwable cause) {
            super("no access token", cause, false, false);
        }
    }
}
