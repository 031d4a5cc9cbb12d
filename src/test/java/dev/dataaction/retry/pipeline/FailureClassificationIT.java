package dev.dataaction.retry.pipeline;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same tests against the packaged application. */
@QuarkusIntegrationTest
class FailureClassificationIT extends FailureClassificationTest {
}
