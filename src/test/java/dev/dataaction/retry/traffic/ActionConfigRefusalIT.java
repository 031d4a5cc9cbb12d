package dev.dataaction.retry.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.dataaction.retry.support.PackagedApplication;

/**
 * The packaged application, started as in production, refuses to start with an invalid setting of one action, and names
 * the setting: a typo in one action's policy must not silently fall back to the service's, nor start a service that
 * lets no attempt through.
 */
class ActionConfigRefusalIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "orchestrator.actions.\"x\".retry.max-attempts | 0",
            "orchestrator.actions.\"x\".max-concurrent | -1",
            "orchestrator.actions.\"x\".max-concurrent | 0",
            "orchestrator.actions.\"x\".max-per-second | 0",
            "orchestrator.actions.\"x\".retry.backoff-factor | 0.5",
            "orchestrator.actions.\"x\".retry.jitter-factor | 2",
            "orchestrator.actions.\"x\".retry.max-duration | 0s" })
    void refusesToStartWithAnInvalidActionSettingAndNamesIt(String key, String value) throws Exception {
        Started started = start(Map.of(key, value));

        assertThat(started.exitCode()).as("exit code; output:%n%s", started.output()).isNotZero();
        // Quarkus names the key without the quotes around the action id
        assertThat(started.output()).contains("Configuration validation failed").contains(key.replace("\"", ""));
    }

    private record Started(int exitCode, String output) {
    }

    /** Starts the application with valid credentials and keys, and {@code settings} besides. */
    private static Started start(Map<String, String> settings) throws IOException, InterruptedException {
        Path output = Files.createTempFile("action-config-refusal", ".log");
        Map<String, String> all = new HashMap<>(Map.of("quarkus.http.port", "0", "quarkus.log.console.json.enabled",
                "false"));
        all.putAll(settings);
        ProcessBuilder builder = new ProcessBuilder(PackagedApplication.ofThisBuild().command(List.of(), all))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GENESYS_") || name.startsWith("ORCHESTRATOR_"));
        builder.environment().putAll(Map.of("GENESYS_CLIENT_ID", "client", "GENESYS_CLIENT_SECRET", "secret",
                "GENESYS_BASE_URL", "http://127.0.0.1:9", "ORCHESTRATOR_API_KEYS", "key"));
        Process process = builder.start();
        try {
            boolean stopped = process.waitFor(60, TimeUnit.SECONDS);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(stopped).as("the application stops by itself; output:%n%s", text).isTrue();
            return new Started(process.exitValue(), text);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
