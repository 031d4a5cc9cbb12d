package dev.dataaction.retry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The application as the last {@code ./mvnw package} made it: the fast-jar, or the native executable of a native build
 * ({@code -Dnative}). Tests that start it as a process of their own start whichever was built, as
 * {@code @QuarkusIntegrationTest} does; both read it from {@code target/quarkus-artifact.properties}, which Quarkus
 * rewrites on every packaging, so a native executable left over from an earlier build is never taken for this one.
 *
 * @param executable the jar, or the native executable
 * @param isNative whether {@code executable} is a native executable
 */
public record PackagedApplication(Path executable, boolean isNative) {

    private static final Path TARGET = Path.of("target");
    private static final Path ARTIFACT = TARGET.resolve("quarkus-artifact.properties");

    /** What the last packaging produced; fails, saying so, when nothing was packaged. */
    public static PackagedApplication ofThisBuild() {
        assertThat(ARTIFACT).as("the packaged application's description (./mvnw package)").exists();
        Properties artifact = new Properties();
        try (Reader reader = Files.newBufferedReader(ARTIFACT)) {
            artifact.load(reader);
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Could not read " + ARTIFACT, unreadable);
        }
        Path executable = TARGET.resolve(artifact.getProperty("path", ""));
        assertThat(executable).as("the packaged application").isRegularFile();
        return new PackagedApplication(executable, "native".equals(artifact.getProperty("type")));
    }

    /**
     * The command that starts it: {@code jvmOptions} apply to the jar's JVM only (a native executable has its own
     * defaults), {@code settings} become system properties either way.
     */
    public List<String> command(List<String> jvmOptions, Map<String, String> settings) {
        List<String> command = new ArrayList<>();
        if (isNative) {
            command.add(executable.toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
        }
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!isNative) {
            command.addAll(List.of("-jar", executable.toString()));
        }
        return command;
    }
}
