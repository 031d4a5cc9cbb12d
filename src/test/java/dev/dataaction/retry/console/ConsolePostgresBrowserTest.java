package dev.dataaction.retry.console;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The console's browser scenarios with the retries read from and written to PostgreSQL. */
@QuarkusTest
@TestProfile(ConsolePostgresProfile.class)
class ConsolePostgresBrowserTest extends ConsoleBrowserTest {
}
