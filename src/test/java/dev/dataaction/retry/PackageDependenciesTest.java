package dev.dataaction.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Packages depend one way: ingest on the pipeline, the pipeline on genesys and the store, observe listening to all of
 * them through CDI events and reading their state, and the console, a face for people, on whatever it shows. Checked on the
 * sources' imports, so that a cycle fails the build
 * rather than a review.
 */
class PackageDependenciesTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/dataaction/retry");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.dataaction\\.retry\\.([a-z]+)\\.",
            Pattern.MULTILINE);

    /** What each package may import; by construction no cycle can pass. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "config", Set.of(),
            "demo", Set.of("config"),
            "store", Set.of("config"),
            "genesys", Set.of("config", "store"),
            "pipeline", Set.of("config", "store", "genesys"),
            "ingest", Set.of("config", "store", "pipeline"),
            "observe", Set.of("config", "store", "genesys", "pipeline"),
            "console", Set.of("config", "store", "pipeline", "ingest", "observe"));

    @Test
    void everyPackageImportsOnlyThePackagesBelowIt() throws IOException {
        List<String> violations = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
                String from = SOURCES.relativize(file).getName(0).toString();
                packages.add(from);
                Matcher imported = IMPORT.matcher(read(file));
                while (imported.find()) {
                    String to = imported.group(1);
                    if (!to.equals(from) && !ALLOWED.getOrDefault(from, Set.of()).contains(to)) {
                        violations.add(SOURCES.relativize(file) + " imports " + to);
                    }
                }
            });
        }
        assertThat(packages).as("packages with a place in the layering").isSubsetOf(ALLOWED.keySet());
        assertThat(violations).as("imports against the layering").isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }
}
