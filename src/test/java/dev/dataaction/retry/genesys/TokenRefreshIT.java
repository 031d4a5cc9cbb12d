package dev.dataaction.retry.genesys;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same tests against the packaged application. */
@QuarkusIntegrationTest
class TokenRefreshIT extends TokenRefreshTest {
}
