package dev.dataaction.retry.durable;

import dev.dataaction.retry.pipeline.RetryLifecycleTest;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The retry lifecycle, with every state change written to PostgreSQL. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class DurableRetryLifecycleTest extends RetryLifecycleTest {
}
