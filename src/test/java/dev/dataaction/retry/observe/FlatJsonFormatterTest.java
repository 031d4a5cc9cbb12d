package dev.dataaction.retry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.json.runtime.AdditionalField;
import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.logging.json.runtime.JsonLogConfig.AdditionalFieldConfig;

/** The production log format: audit fields at the top level of each JSON event. */
class FlatJsonFormatterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mdcEntriesBecomeTopLevelFieldsAndWholeNumbersNumbers() throws Exception {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("event", "RETRY_SUCCESS");
        mdc.put("requestId", "5e142188-64f6-47ed-8035-ed021dfd7708");
        mdc.put("latencyMs", "412");
        ExtLogRecord record = auditRecord(mdc);

        JsonNode event = JSON.readTree(new FlatJsonFormatter(new JsonFormatter(), Optional.empty()).format(record));

        assertThat(event.path("event").isTextual()).isTrue();
        assertThat(event.path("event").asText()).isEqualTo("RETRY_SUCCESS");
        assertThat(event.path("requestId").isTextual()).isTrue();
        assertThat(event.path("requestId").asText()).isEqualTo("5e142188-64f6-47ed-8035-ed021dfd7708");
        assertThat(event.path("latencyMs").isIntegralNumber()).as("latencyMs is a JSON number").isTrue();
        assertThat(event.path("latencyMs").asLong()).isEqualTo(412);
        assertThat(event.has("mdc")).as("no nested mdc object").isFalse();
        assertThat(event.path("message").asText())
                .isEqualTo("RETRY_SUCCESS requestId=5e142188-64f6-47ed-8035-ed021dfd7708 latencyMs=412");
        assertThat(event.path("level").asText()).isEqualTo("INFO");
        assertThat(event.path("loggerName").asText()).isEqualTo(AuditLog.LOGGER);
    }

    @Test
    void keepsTheConfiguredExclusionsAndAdditionalFields() throws Exception {
        JsonFormatter configured = new JsonFormatter(null, Set.of("hostName"),
                Map.of("service", new AdditionalField("retry-orchestrator", AdditionalFieldConfig.Type.STRING)));

        JsonNode event = JSON.readTree(
                new FlatJsonFormatter(configured, Optional.empty()).format(auditRecord(Map.of("event", "RETRY_FAILED"))));

        assertThat(event.has("hostName")).isFalse();
        assertThat(event.path("service").asText()).isEqualTo("retry-orchestrator");
        assertThat(event.path("event").asText()).isEqualTo("RETRY_FAILED");
        assertThat(event.has("mdc")).isFalse();
    }

    @Test
    void keepsTheConfiguredDateFormat() throws Exception {
        JsonFormatter configured = new JsonFormatter();

        JsonNode event = JSON.readTree(new FlatJsonFormatter(configured, Optional.of("dd/MM/yyyy HH:mm"))
                .format(auditRecord(Map.of("event", "RETRY_FAILED"))));

        assertThat(event.path("timestamp").asText()).matches("\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}");
    }

    @Test
    void identifiersMadeOfDigitsKeepTheirExactText() throws Exception {
        ExtLogRecord record = auditRecord(Map.of("event", "RETRY_ACCEPTED", "originalRunId", "000123"));

        JsonNode event = JSON.readTree(new FlatJsonFormatter(new JsonFormatter(), Optional.empty()).format(record));

        assertThat(event.path("originalRunId").asText()).isEqualTo("000123");
    }

    private static ExtLogRecord auditRecord(Map<String, String> mdc) {
        StringBuilder message = new StringBuilder(mdc.get("event"));
        mdc.forEach((name, value) -> {
            if (!name.equals("event")) {
                message.append(' ').append(name).append('=').append(value);
            }
        });
        ExtLogRecord record = new ExtLogRecord(Level.INFO, message.toString(), ExtLogRecord.FormatStyle.NO_FORMAT,
                AuditLog.class.getName());
        record.setLoggerName(AuditLog.LOGGER);
        record.setMdc(mdc);
        return record;
    }
}
