package dev.dataaction.retry.pipeline;

import static dev.dataaction.retry.support.GenesysStub.executePath;
import static dev.dataaction.retry.support.GenesysStub.genesysError;
import static dev.dataaction.retry.support.GenesysStub.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.ext.Provider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A retry outlives the request that submitted it: its attempts must not run inside that request's scope. Run inside it,
 * every waiting retry kept the ended request's state reachable (its body included) for as long as it waited.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class AttemptContextTest {

    /** Notes, for every call to Genesys, whether a request scope was active while it was sent. */
    @Provider
    public static class RequestScopeProbe implements ClientRequestFilter {

        static final Map<String, List<Boolean>> SCOPE_ACTIVE_BY_PATH = new ConcurrentHashMap<>();

        @Override
        public void filter(ClientRequestContext request) {
            SCOPE_ACTIVE_BY_PATH.computeIfAbsent(request.getUri().getPath(), path -> new CopyOnWriteArrayList<>())
                    .add(Arc.container().requestContext().isActive());
        }
    }

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @Test
    void attemptsRunOutsideTheRequestThatSubmittedTheRetry() {
        String actionId = Retries.newActionId();
        GenesysStub.stubSequence(executePath(actionId), genesysError(503, "service.unavailable", "Service unavailable", "c1"),
                ok("{}"));

        String id = Retries.submitNew(actionId, "run-1");
        Retries.awaitStatus(id, "SUCCEEDED");

        assertThat(RequestScopeProbe.SCOPE_ACTIVE_BY_PATH.get(executePath(actionId)))
                .as("request scope active during each attempt")
                .containsExactly(false, false);
    }
}
