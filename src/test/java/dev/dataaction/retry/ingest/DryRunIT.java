package dev.dataaction.retry.ingest;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same dry runs against the packaged application; the audit is read in {@link DryRunTest} alone. */
@QuarkusIntegrationTest
class DryRunIT extends DryRunTest {
}
