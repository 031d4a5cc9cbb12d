package dev.dataaction.retry.genesys;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same tests against the packaged application: the per-action breakers are SmallRye Fault Tolerance guards. */
@QuarkusIntegrationTest
class CircuitBreakerIT extends CircuitBreakerTest {
}
