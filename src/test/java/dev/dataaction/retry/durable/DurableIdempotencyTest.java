package dev.dataaction.retry.durable;

import dev.dataaction.retry.ingest.IdempotencyTest;
import dev.dataaction.retry.support.PostgresProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Idempotency on (actionId, originalRunId), enforced by the database's unique index. */
@QuarkusTest
@TestProfile(PostgresProfile.class)
class DurableIdempotencyTest extends IdempotencyTest {
}
