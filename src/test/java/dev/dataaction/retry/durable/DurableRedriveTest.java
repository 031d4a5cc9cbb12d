package dev.dataaction.retry.durable;

import dev.dataaction.retry.ingest.RedriveTest;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Dead letters and their redrive, read from and written to PostgreSQL. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class DurableRedriveTest extends RedriveTest {
}
