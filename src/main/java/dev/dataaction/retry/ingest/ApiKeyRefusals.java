package dev.dataaction.retry.ingest;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Accounts for requests refused for want of a valid API key. Anyone who can reach the port can send such requests, so
 * each is counted in {@code orchestrator_api_key_refusals_total}, but only the first few of a minute are logged on a
 * line of their own and the rest are summed up in one line when the minute ends. Neither holds the key that was sent,
 * nor anything else the caller chose: a line names the method and the resource method, not the path.
 */
@ApplicationScoped
public class ApiKeyRefusals {

    /** Why a request was refused; a closed set, so that the metric's series stay few. */
    public enum Reason {
        /** No {@code X-API-Key} header, or an empty one. */
        MISSING,
        /** A key that is none of the configured ones. */
        UNKNOWN
    }

    /** Enough lines to see at once who is refused and why; few enough that a flood does not drown the log. */
    static final int LOGGED_PER_MINUTE = 5;

    private static final Logger LOG = Logger.getLogger(ApiKeyRefusals.class);

    private final Map<Reason, Counter> refusals = new EnumMap<>(Reason.class);
    private final RefusalLogLimit lines = new RefusalLogLimit(LOGGED_PER_MINUTE);

    ApiKeyRefusals(MeterRegistry registry) {
        for (Reason reason : Reason.values()) {
            refusals.put(reason, Counter.builder("orchestrator.api-key.refusals")
                    .description("Requests to the /v1 API refused for want of a valid API key")
                    .tag("reason", reason.name()).register(registry));
        }
    }

    /** Counts one refusal of a request to {@code resource} (the resource method's name) and logs it if the minute allows. */
    public void refused(Reason reason, String method, String resource) {
        refusals.get(reason).increment();
        String key = reason == Reason.MISSING ? "no" : "an unknown";
        switch (lines.refused()) {
            case OWN -> LOG.infof("Refused %s %s: %s API key", method, resource, key);
            case LAST_OWN -> LOG.infof("Refused %s %s: %s API key. Further refusals this minute are counted in "
                    + "orchestrator_api_key_refusals_total and summed up when the minute ends", method, resource, key);
            case SUMMED_UP -> {
            }
        }
    }

    /** Sums up the minute's refusals that had no line of their own. */
    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void summarise() {
        long summedUp = lines.endInterval();
        if (summedUp > 0) {
            LOG.infof("Refused %d more requests without a valid API key in the last minute", summedUp);
        }
    }
}
