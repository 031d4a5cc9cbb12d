package dev.dataaction.retry.observe;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same tests against the packaged application. */
@QuarkusIntegrationTest
class HealthChecksIT extends HealthChecksTest {
}
