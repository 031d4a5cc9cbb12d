package dev.dataaction.retry.console;

import java.util.List;

import dev.dataaction.retry.support.PostgresDatabase;

/** {@link ConsoleProfile} on the {@code postgres} store, on an empty database. */
public class ConsolePostgresProfile extends ConsoleProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresDatabase.class));
    }
}
