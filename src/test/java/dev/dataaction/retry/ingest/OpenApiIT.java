package dev.dataaction.retry.ingest;

import dev.dataaction.retry.support.OperationsProfile;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/** The same tests against the packaged application. */
@QuarkusIntegrationTest
@TestProfile(OperationsProfile.class)
class OpenApiIT extends OpenApiTest {
}
