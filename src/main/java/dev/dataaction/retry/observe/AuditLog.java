package dev.dataaction.retry.observe;

import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Writes the audit trail: one INFO event per lifecycle step on the {@code dev.dataaction.retry.audit} logger. The fields
 * travel as MDC entries, which the production JSON format lifts to the top level of the event ({@link FlatJsonFormatter});
 * the console format of dev mode prints them in the message. Callers pass identifiers, statuses and sizes only: never
 * payloads, results, tokens or keys.
 */
@ApplicationScoped
public class AuditLog {

    static final String LOGGER = "dev.dataaction.retry.audit";
    /** Fields that hold counts or durations; every other field is text, identifiers made of digits included. */
    static final Set<String> NUMERIC_FIELDS = Set.of("attempt", "httpStatus", "delayMs", "latencyMs", "durationMs",
            "payloadBytes", "count");
    private static final Logger LOG = Logger.getLogger(LOGGER);

    /** Writes one event with its fields; {@code null} values are left out. */
    public void write(AuditEvent event, Map<String, Object> fields) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder message = new StringBuilder(96).append(event.name());
        MDC.put("event", event.name());
        try {
            fields.forEach((name, value) -> {
                if (value != null) {
                    MDC.put(name, value);
                    message.append(' ').append(name).append('=').append(value);
                }
            });
            LOG.info(message);
        } finally {
            MDC.remove("event");
            fields.keySet().forEach(MDC::remove);
        }
    }
}
