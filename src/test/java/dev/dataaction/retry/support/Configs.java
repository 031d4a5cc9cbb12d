package dev.dataaction.retry.support;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.dataaction.retry.config.OrchestratorConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The service's configuration read by SmallRye Config from the text an operator writes, defaults included, for tests of
 * plain classes that take it.
 */
public final class Configs {

    private Configs() {
    }

    public static OrchestratorConfig orchestrator(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 100))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(OrchestratorConfig.class)
                .build()
                .getConfigMapping(OrchestratorConfig.class);
    }
}
