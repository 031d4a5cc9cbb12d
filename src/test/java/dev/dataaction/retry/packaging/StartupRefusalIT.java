package dev.dataaction.retry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.support.PackagedApplication;

/**
 * The packaged application (the jar, or the native executable of a native build), started as in production, refuses to
 * run open or without Genesys credentials, and says which setting is missing without printing any secret it was given.
 */
class StartupRefusalIT {

    private static final String SECRET = "client-secret-that-must-not-be-printed";

    @Test
    void refusesToStartWithoutApiKeys() throws Exception {
        Started started = start(Map.of("GENESYS_CLIENT_ID", "client", "GENESYS_CLIENT_SECRET", SECRET));

        assertThat(started.exitCode()).isNotZero();
        assertThat(started.output()).contains("No API key is configured").contains("ORCHESTRATOR_API_KEYS")
                .doesNotContain(SECRET);
    }

    @Test
    void refusesToStartWithoutGenesysCredentials() throws Exception {
        Started started = start(Map.of("ORCHESTRATOR_API_KEYS", "key"));

        assertThat(started.exitCode()).isNotZero();
        assertThat(started.output()).contains("Genesys Cloud credentials are missing").contains("GENESYS_CLIENT_ID");
    }

    private record Started(int exitCode, String output) {
    }

    private static Started start(Map<String, String> environment) throws IOException, InterruptedException {
        Path output = Files.createTempFile("startup-refusal", ".log");
        ProcessBuilder builder = new ProcessBuilder(PackagedApplication.ofThisBuild().command(List.of(),
                Map.of("quarkus.http.port", "0", "quarkus.log.console.json.enabled", "false")))
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GENESYS_") || name.startsWith("ORCHESTRATOR_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the application stops by itself").isTrue();
            return new Started(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
