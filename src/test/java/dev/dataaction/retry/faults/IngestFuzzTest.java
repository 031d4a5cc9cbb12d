package dev.dataaction.retry.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import dev.dataaction.retry.support.CleanSlate;
import dev.dataaction.retry.support.GenesysStub;
import dev.dataaction.retry.support.Retries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Generated hostile bodies for {@code POST /v1/retries} and {@code POST /v1/retries/batch}
 * ({@link IngestFuzzProperties}): every answer is a 2xx or a 4xx problem, and every retry that was accepted on the way
 * runs exactly once and succeeds.
 *
 * <p>
 * jqwik cannot run properties declared in a {@code @QuarkusTest} class: Quarkus loads such a class in its own class
 * loader, where jqwik's engine does not recognise {@code @Property}, and the properties are skipped without a word. So
 * each test here, with the application running, runs one property through a JUnit Platform launcher of its own and fails
 * with jqwik's report (seed and shrunk sample included) when the property does not hold.
 */
@QuarkusTest
@QuarkusTestResource(GenesysStub.class)
class IngestFuzzTest {

    @RegisterExtension
    final CleanSlate cleanSlate = CleanSlate.genesys();

    @BeforeEach
    void letEveryActionSucceed() {
        // whatever action a valid generated request names exists and succeeds at once
        GenesysStub.server().stubFor(post(urlPathMatching(GenesysStub.executePath("[^/]+")))
                .willReturn(GenesysStub.ok("{\"done\":true}")));
        Retries.awaitQueueEmpty();
        IngestFuzzProperties.startRun(Retries.newActionId() + "-");
    }

    @Test
    void hostileSubmissionsAreAnsweredWithA2xxOrA4xxProblem() {
        assertPropertyHolds("submissionIsAcceptedOrRefusedWithAProblem");

        Faults.assertEachSucceededWithOneExecution(List.copyOf(IngestFuzzProperties.ACCEPTED));
        Faults.assertHealthy();
    }

    @Test
    void hostileBatchesAreAnsweredWithA2xxOrA4xxProblem() {
        assertPropertyHolds("batchIsAnsweredItemByItem");

        Faults.assertEachSucceededWithOneExecution(List.copyOf(IngestFuzzProperties.ACCEPTED));
        Faults.assertHealthy();
    }

    /** Runs one property of {@link IngestFuzzProperties} with jqwik and fails as it fails. */
    private static void assertPropertyHolds(String property) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        List<String> reports = new CopyOnWriteArrayList<>();
        TestExecutionListener collectReports = new TestExecutionListener() {
            @Override
            public void reportingEntryPublished(TestIdentifier property, ReportEntry report) {
                reports.add(report.toString());
            }
        };
        LauncherFactory.create(LauncherConfig.builder()
                // only the engines: the listeners Quarkus registers for the outer run have no business here
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .build())
                .execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectMethod(IngestFuzzProperties.class, property,
                                HostileJson.Body.class.getName()))
                        .filters(EngineFilter.includeEngines("jqwik"))
                        // the report of a failure (seed, original and shrunk sample) goes into the assertion
                        .configurationParameter("jqwik.reporting.onlyfailures", "true")
                        .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                        .build(), listener, collectReports);
        TestExecutionSummary summary = listener.getSummary();
        for (TestExecutionSummary.Failure failure : summary.getFailures()) {
            throw new AssertionError(failure.getTestIdentifier().getDisplayName() + " does not hold\n"
                    + String.join("\n", reports), failure.getException());
        }
        assertThat(summary.getTestsSucceededCount()).as("properties that ran and held").isEqualTo(1);
    }
}
