package dev.dataaction.retry.observe;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;

import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.runtime.StartupEvent;

/**
 * The production JSON log format with MDC entries as top-level fields, so that an audit event reads
 * {@code {"event":"RETRY_SUCCESS","requestId":"…","latencyMs":412,…}} rather than nesting them under {@code mdc}. Whole
 * numbers are written as numbers. At start-up it takes the place of the configured JSON formatter, keeping its settings.
 */
public class FlatJsonFormatter extends JsonFormatter {

    private static final String MDC_KEY = "mdc";

    FlatJsonFormatter(JsonFormatter configured) {
        super(configured.getKeyOverrides(), withMdcExcluded(configured.getExcludedKeys()),
                configured.getAdditionalFields());
        setPrintDetails(configured.isPrintDetails());
        setExceptionOutputType(configured.getExceptionOutputType());
        setRecordDelimiter(configured.getRecordDelimiter());
        setZoneId(configured.getZoneId().getId());
    }

    @Override
    protected void after(Generator generator, ExtLogRecord record) throws Exception {
        super.after(generator, record);
        for (Map.Entry<String, String> field : record.getMdcCopy().entrySet()) {
            String value = field.getValue();
            if (isWholeNumber(value)) {
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

        void install(@Observes StartupEvent started) {
            replaceIn(LogContext.getLogContext().getLogger("").getHandlers());
        }

        private static void replaceIn(Handler[] handlers) {
            for (Handler handler : handlers) {
                if (handler.getFormatter() instanceof JsonFormatter json && !(json instanceof FlatJsonFormatter)) {
                    handler.setFormatter(new FlatJsonFormatter(json));
                }
                if (handler instanceof ExtHandler parent) {
                    replaceIn(parent.getHandlers());
                }
            }
        }
    }
}
