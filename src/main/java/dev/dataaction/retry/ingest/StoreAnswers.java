package dev.dataaction.retry.ingest;

import java.time.Duration;

import org.jboss.logging.Logger;

import dev.dataaction.retry.store.StoreFailures;
import dev.dataaction.retry.store.StoreTimeout;
import io.smallrye.mutiny.Uni;

/** How the API answers when the store does not. */
final class StoreAnswers {

    private static final Logger LOG = Logger.getLogger(StoreAnswers.class);

    private StoreAnswers() {
    }

    /**
     * A store that cannot be reached answers 503: the caller may try again, and nothing was half-written. The outage is
     * logged by the store, once; a failure that is no outage stays a failure (500).
     */
    static <T> Uni<T> fromStore(Uni<T> call, Duration retryAfter) {
        return call.onFailure(failure -> !(failure instanceof ProblemException) && StoreFailures.isTransient(failure))
                .transform(failure -> {
                    LOG.debugf("The store did not answer: %s", failure.getMessage());
                    return new ProblemException(Problem.storeUnavailable(failure instanceof StoreTimeout,
                            "a change this request asked for may yet be made. Repeating the request is safe.", retryAfter),
                            retryAfter);
                });
    }
}
