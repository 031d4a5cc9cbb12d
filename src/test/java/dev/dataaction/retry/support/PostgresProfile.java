package dev.dataaction.retry.support;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The application with the {@code postgres} store, on an empty database. Genesys is the global {@link GenesysStub}. */
public class PostgresProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresDatabase.class));
    }
}
