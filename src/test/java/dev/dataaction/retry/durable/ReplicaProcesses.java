package dev.dataaction.retry.durable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The replicas a test starts: their output goes to {@code target/replicas-it/<test>/}, is printed when the test fails,
 * and every replica still running is killed after the test, whatever its outcome.
 */
final class ReplicaProcesses implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {

    private static final Path OUTPUT = Path.of("target", "replicas-it");

    private final List<Replica> started = new ArrayList<>();
    private final boolean printOutputOnFailure;
    private Path directory = OUTPUT;

    ReplicaProcesses() {
        this(true);
    }

    /**
     * @param printOutputOnFailure false for tests whose replicas write more than a console can show; their output stays
     *        in the files
     */
    ReplicaProcesses(boolean printOutputOnFailure) {
        this.printOutputOnFailure = printOutputOnFailure;
    }

    @Override
    public void beforeEach(ExtensionContext test) throws IOException {
        directory = OUTPUT.resolve(test.getRequiredTestMethod().getName());
        Files.createDirectories(directory);
    }

    /**
     * Starts a replica; its output goes to {@code <name>.log}, or {@code <name>-2.log} and so on when a replica of that
     * name ran before in the same test.
     */
    Replica launch(String name, Map<String, String> environment, Map<String, String> settings) {
        long before = started.stream().filter(replica -> replica.name().equals(name)).count();
        Path output = directory.resolve(before == 0 ? name + ".log" : name + "-" + (before + 1) + ".log");
        Replica replica = Replica.launch(name, environment, settings, output);
        started.add(replica);
        return replica;
    }

    /** Where the replicas' output files are. */
    Path directory() {
        return directory;
    }

    @Override
    public void afterTestExecution(ExtensionContext test) {
        if (test.getExecutionException().isPresent() && printOutputOnFailure) {
            for (Replica replica : started) {
                System.out.printf("%n----- replica %s (%s) -----%n%s----- end of replica %s -----%n", replica.name(),
                        replica.outputFile(), replica.output(), replica.name());
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext test) throws InterruptedException {
        for (Replica replica : started) {
            replica.killIfAlive();
        }
        started.clear();
    }
}
