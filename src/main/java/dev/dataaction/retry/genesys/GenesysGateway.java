package dev.dataaction.retry.genesys;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.config.GenesysConfig;
import dev.dataaction.retry.genesys.ActionBreakers.ActionBreaker;
import dev.dataaction.retry.store.LastError;
import io.quarkus.oidc.client.OidcClientException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The one way to Genesys: sends an attempt through the action's circuit breaker and classifies what comes back. Only
 * retryable answers (408, 429, 5xx, timeouts, broken connections) count against the breaker; an answer that shows
 * Genesys working, such as a 400 or a 404, does not.
 *
 * <p>
 * SmallRye's breaker counts every exception it is not told to count as a success, so only the exchange with Genesys runs
 * inside it: the access token is taken and the body written before, and the answer is read after. A login service in
 * trouble or an internal error thus neither opens nor closes a breaker; above all, a trial call that finds no token does
 * not close the breaker of an action that is still broken.
 *
 * <p>
 * An attempt has a deadline of {@code genesys.token-timeout} plus the REST client's connect and read timeouts: at most
 * the token timeout for its token, and the other two for the exchange. The read timeout alone would not do: it bounds
 * each wait for data, and an answer that trickles in never trips it.
 */
@ApplicationScoped
public class GenesysGateway {

    private static final TypeLiteral<Uni<Response>> ANSWER = new TypeLiteral<>() {
    };
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 429, 500, 502, 503, 504);
    private static final LastError CIRCUIT_OPEN = new LastError(null, "circuit.open", "the action's circuit breaker is open",
            null);

    /** Carries a retryable answer, or the lack of one, out of the breaker, which counts it as a failure. */
    static final class RetryableAnswer extends RuntimeException {
        /** The answer; null when none came, and the cause says why. */
        final Response response;

        RetryableAnswer(Response response, Throwable noAnswer) {
            super(null, noAnswer, false, false);
            this.response = response;
        }
    }

    private final GenesysActionsApi api;
    private final AccessTokens tokens;
    private final ActionBreakers breakers;
    private final GenesysConfig.InvokerMode mode;
    private final ObjectMapper json;
    private final Answers answers;
    private final Duration tokenRecheck;
    private final Duration tokenTimeout;
    private final Duration exchangeTimeout;

    GenesysGateway(@RestClient GenesysActionsApi api, AccessTokens tokens, ActionBreakers breakers, GenesysConfig config,
            ObjectMapper json, @ConfigProperty(name = "quarkus.rest-client.genesys.connect-timeout") long connectTimeoutMillis,
            @ConfigProperty(name = "quarkus.rest-client.genesys.read-timeout") long readTimeoutMillis) {
        this.api = api;
        this.tokens = tokens;
        this.breakers = breakers;
        this.mode = config.mode();
        this.json = json;
        this.answers = new Answers(json, config.mode());
        this.tokenRecheck = config.tokenRecheckInterval();
        this.tokenTimeout = config.tokenTimeout();
        this.exchangeTimeout = Duration.ofMillis(connectTimeoutMillis + readTimeoutMillis);
    }

    /** Executes the action once. The returned {@code Uni} never fails: every outcome is an {@link Execution}. */
    public Uni<Execution> execute(ActionRequest request) {
        ActionBreaker breaker = breakers.forAction(request.actionId());
        Optional<Execution.Held> refused = holdBeforeAttempt(request.actionId());
        if (refused.isPresent()) {
            // no token is asked for an action whose breaker would refuse the call anyway
            return Uni.createFrom().item(refused.get());
        }
        byte[] body;
        try {
            body = body(request);
        } catch (RuntimeException unwritable) {
            return Uni.createFrom().item(Answers.internalError(unwritable));
        }
        Uni<Execution> execution = token()
                .chain(token -> breaker.guard.get(() -> exchange(request, token, body), ANSWER)
                        .map(response -> classify(response, token)))
                .onFailure(RetryableAnswer.class).recoverWithItem(failure -> answers.retryable((RetryableAnswer) failure))
                .onFailure(CircuitBreakerOpenException.class).recoverWithItem(() -> circuitOpen(request.actionId()));
        return ended(execution);
    }

    /**
     * Runs the action through Genesys' test endpoint: a dry run, whose answer ({@code operations} step by step,
     * {@code success}, {@code finalResult}, {@code error}) is the {@link Execution.Succeeded#result()} of a 200. Genesys
     * executes the action for real; only the answer differs. The breaker is neither asked nor told: a dry run is how an
     * operator checks an action that it may hold open, and one call an operator asks for is no sign of the action's
     * health. In {@code runs} mode, where no test endpoint exists, this is a bug of the caller.
     */
    public Uni<Execution> test(ActionRequest request) {
        if (mode != GenesysConfig.InvokerMode.EXECUTE) {
            throw new IllegalStateException("dry runs need genesys.mode=execute");
        }
        byte[] body;
        try {
            body = body(request);
        } catch (RuntimeException unwritable) {
            return Uni.createFrom().item(Answers.internalError(unwritable));
        }
        Uni<Execution> answer = token().chain(token -> bounded(api.test(request.actionId(), flatten(request),
                request.requestId().toString(), "Bearer " + token, body))
                .map(response -> RETRYABLE_STATUSES.contains(response.getStatus())
                        ? answers.retryable(new RetryableAnswer(response, null))
                        : classify(response, token))
                .onFailure().recoverWithItem(noAnswer -> answers.retryable(new RetryableAnswer(null, noAnswer))));
        return ended(answer);
    }

    /** Whether dry runs are possible: Genesys' test endpoint exists in {@code execute} mode only. */
    public boolean testsActions() {
        return mode == GenesysConfig.InvokerMode.EXECUTE;
    }

    /** The access token for a call, or a {@link TokenUnavailable} failure. */
    private Uni<String> token() {
        return tokens.accessToken()
                // the shared token request has a timeout of its own (TokenRequestTimeout); this bounds this call's wait
                .ifNoItem().after(tokenTimeout)
                .failWith(() -> new OidcClientException("no token within genesys.token-timeout"))
                .onFailure().transform(TokenUnavailable::new);
    }

    /**
     * Ends a call to Genesys as an {@link Execution} whatever failed, back on the Vert.x context that asked: a timeout
     * fires on Mutiny's scheduler, and a retry goes on where it was driven.
     */
    private Uni<Execution> ended(Uni<Execution> call) {
        Uni<Execution> execution = call
                .onFailure(TokenUnavailable.class).recoverWithItem(this::tokenUnavailable)
                .onFailure().recoverWithItem(Answers::internalError);
        Context driving = Vertx.currentContext();
        return driving == null ? execution : execution.emitOn(onContext(driving));
    }

    /** Genesys' default, false, is left out of the query, so the request is the same as before the option existed. */
    private static Boolean flatten(ActionRequest request) {
        return request.flatten() ? Boolean.TRUE : null;
    }

    /** An answer within the REST client's connect and read timeouts, or a {@link TimeoutException}. */
    private Uni<Response> bounded(Uni<Response> answer) {
        return answer.ifNoItem().after(exchangeTimeout).failWith(() -> new TimeoutException("no complete answer within "
                + "the REST client's connect and read timeouts"));
    }

    private static Executor onContext(Context context) {
        return command -> context.runOnContext(ignored -> command.run());
    }

    /** The state of the action's circuit breaker: {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}. */
    public String breakerState(String actionId) {
        return breakers.stateOf(actionId).name();
    }

    /**
     * Whether the action's breaker refuses calls now; if so, the retry is held until the breaker lets a trial call through,
     * spread by the retry jitter so that the retries it holds do not all come back at once. Counts nothing on the breaker,
     * so it may be asked before an attempt is recorded as started.
     */
    public Optional<Execution.Held> holdBeforeAttempt(String actionId) {
        return breakers.refusingUntil(actionId)
                .map(halfOpens -> new Execution.Held(Execution.HeldBy.CIRCUIT_OPEN, Optional.of(halfOpens), CIRCUIT_OPEN));
    }

    /**
     * The exchange with Genesys, the only step inside the breaker: it fails, and the breaker counts a failure, when the
     * answer is retryable or none comes; any other answer completes it.
     */
    private Uni<Response> exchange(ActionRequest request, String token, byte[] body) {
        String correlationId = request.requestId().toString();
        String authorization = "Bearer " + token;
        Uni<Response> answer = switch (mode) {
            case EXECUTE -> api.execute(request.actionId(), flatten(request), correlationId, authorization, body);
            case RUNS -> api.submitRun(request.actionId(), correlationId, authorization, body);
        };
        return bounded(answer)
                .onFailure().transform(noAnswer -> new RetryableAnswer(null, noAnswer))
                .invoke(response -> {
                    if (RETRYABLE_STATUSES.contains(response.getStatus())) {
                        throw new RetryableAnswer(response, null);
                    }
                });
    }

    /** A JSON tree or record always writes; a failure here is a bug, and the attempt ends as an internal error. */
    private byte[] body(ActionRequest request) {
        Object value = switch (mode) {
            case EXECUTE -> request.payload();
            case RUNS ->
                new RunSubmission(request.payload(), new RunSubmission.Metadata(request.originalRunId(), request.attempt(),
                        request.requestId().toString()));
        };
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException unwritable) {
            throw new IllegalStateException("the request body could not be written as JSON", unwritable);
        }
    }

    /** An answer the breaker let through as not retryable; a 401 also tells the token cache that its token is spent. */
    private Execution classify(Response response, String token) {
        if (response.getStatus() == 401) {
            tokens.refused(token);
        }
        return answers.notRetryable(response);
    }

    /**
     * The breaker refused the call although it seemed to accept one a moment before: its trial call is on the wire. The
     * moment it decides is unknown, and the pipeline waits a backoff delay instead of spinning.
     */
    private Execution circuitOpen(String actionId) {
        return holdBeforeAttempt(actionId)
                .orElseGet(() -> new Execution.Held(Execution.HeldBy.CIRCUIT_OPEN, Optional.empty(), CIRCUIT_OPEN));
    }

    /**
     * No token: the retry waits one token recheck interval, the pace at which the login service is probed anyway, rather
     * than its backoff delay, which does not grow while no attempt is made.
     */
    private Execution tokenUnavailable() {
        tokens.unavailable();
        return new Execution.Held(Execution.HeldBy.TOKEN_UNAVAILABLE, Optional.of(Instant.now().plus(tokenRecheck)),
                new LastError(null, "token.unavailable", "no access token could be obtained from the login service", null));
    }

    /** No token could be had; nothing reached Genesys, and the breaker was not asked. */
    static final class TokenUnavailable extends RuntimeException {
        TokenUnavailable(Throwable cause) {
            super("no access token", cause, false, false);
        }
    }
}
