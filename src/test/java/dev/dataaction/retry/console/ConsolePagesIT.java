package dev.dataaction.retry.console;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/** The same tests against the packaged application: templates, WebJar and styles are in the jar and the executable. */
@QuarkusIntegrationTest
@TestProfile(ConsoleProfile.class)
class ConsolePagesIT extends ConsolePagesTest {
}
