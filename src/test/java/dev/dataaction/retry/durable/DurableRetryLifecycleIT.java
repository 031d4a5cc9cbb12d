package dev.dataaction.retry.durable;

import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same tests against the packaged application with the PostgreSQL store: the schema migrated by Flyway over JDBC at
 * start-up, every state change written through the reactive client.
 */
@QuarkusIntegrationTest
@TestProfile(PostgresProfile.class)
class DurableRetryLifecycleIT extends DurableRetryLifecycleTest {
}
