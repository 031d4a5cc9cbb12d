package dev.dataaction.retry.durable;

import dev.dataaction.retry.pipeline.FailureClassificationTest;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every kind of failure, with each outcome written to PostgreSQL before it is acted on. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class DurableFailureClassificationTest extends FailureClassificationTest {
}
