package dev.dataaction.retry.observe;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;

import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.runtime.StartupEvent;

/**
 * The production JSON log format with MDC entries as top-level fields, so that an audit event reads
 * {@code {"event":"RETRY_SUCCESS","requestId":"…","latencyMs":412,…}} rather than nesting them under {@code mdc}. The
 * audit trail's counts and durations are written as numbers; identifiers stay text, even when made of digits. At
 * start-up it takes the place of the configured JSON formatter, keeping its settings.
 */
public class FlatJsonFormatter extends JsonFormatter {

    private static final String MDC_KEY = "mdc";

    /**
     * @param dateFormat the configured {@code date-format}, which the configured formatter does not expose;
     *        {@code default} or empty keeps ISO-8601
     */
    FlatJsonFormatter(JsonFormatter configured, Optional<String> dateFormat) {
        super(configured.getKeyOverrides(), withMdcExcluded(configured.getExcludedKeys()),
                configured.getAdditionalFields());
        setPrintDetails(configured.isPrintDetails());
        setExceptionOutputType(configured.getExceptionOutputType());
        setRecordDelimiter(configured.getRecordDelimiter());
        setZoneId(configured.getZoneId().getId());
        dateFormat.filter(format -> !format.isBlank() && !format.equals("default")).ifPresent(this::setDateFormat);
    }

    @Override
    protected void after(Generator generator, ExtLogRecord record) throws Exception {
        super.after(generator, record);
        for (Map.Entry<String, String> field : record.getMdcCopy().entrySet()) {
            String value = field.getValue();
            if (AuditLog.NUMERIC_FIELDS.contains(field.getKey()) && isWholeNumber(value)) {
                generator.add(field.getKey(), Long.parseLong(value));
            } else {
                generator.add(field.getKey(), value);
            }
        }
    }

    private static boolean isWholeNumber(String value) {
        if (value == null || value.isEmpty() || value.length() > 18) {
            return false;
        }
        for (int i = value.charAt(0) == '-' && value.length() > 1 ? 1 : 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> withMdcExcluded(Set<String> excluded) {
        Set<String> keys = new HashSet<>(excluded);
        keys.add(MDC_KEY);
        return keys;
    }

    /** Installs the flat format wherever the JSON format is configured (production); dev and test keep theirs. */
    @Singleton
    static class Installer {

        void install(@Observes StartupEvent started,
                @ConfigProperty(name = "quarkus.log.console.json.date-format") Optional<String> dateFormat) {
            replaceIn(LogContext.getLogContext().getLogger("").getHandlers(), dateFormat);
        }

        private static void replaceIn(Handler[] handlers, Optional<String> dateFormat) {
            for (Handler handler : handlers) {
                if (handler.getFormatter() instanceof JsonFormatter json && !(json instanceof FlatJsonFormatter)) {
                    handler.setFormatter(new FlatJsonFormatter(json, dateFormat));
                }
                if (handler instanceof ExtHandler parent) {
                    replaceIn(parent.getHandlers(), dateFormat);
                }
            }
        }
    }
}
