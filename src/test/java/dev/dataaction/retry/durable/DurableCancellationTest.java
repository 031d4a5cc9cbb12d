package dev.dataaction.retry.durable;

import dev.dataaction.retry.ingest.CancellationTest;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Cancellation, written to PostgreSQL before the answer. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class DurableCancellationTest extends CancellationTest {
}
