package dev.dataaction.retry.observe;

import dev.dataaction.retry.support.OperationsProfile;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same tests against the packaged application, the HMAC signature included; those that read the audit trail in
 * this JVM's log are left to {@link WebhookTest}.
 */
@QuarkusIntegrationTest
@TestProfile(OperationsProfile.class)
class WebhookIT extends WebhookTest {
}
