package dev.dataaction.retry.pipeline;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same retry lifecycle, against the packaged application. */
@QuarkusIntegrationTest
class RetryLifecycleIT extends RetryLifecycleTest {
}
