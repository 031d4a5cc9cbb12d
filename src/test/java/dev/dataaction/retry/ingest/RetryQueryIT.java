package dev.dataaction.retry.ingest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same tests against the packaged application. */
@QuarkusIntegrationTest
class RetryQueryIT extends RetryQueryTest {
}
