package dev.dataaction.retry.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Makes {@code orchestrator.store} the one switch of the database: with {@code postgres} the datasource is active and its
 * JDBC URL, used only by the schema migrations, derives from the reactive URL; with {@code memory} the datasource stays
 * inactive and nothing connects to a database. Explicit {@code quarkus.datasource.*} settings win over these.
 */
public class StoreConfigFactory implements ConfigSourceFactory {

    /** Below application.properties (250), so that anything set explicitly wins. */
    private static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean postgres = "postgres".equals(valueOf(context, "orchestrator.store").toLowerCase(Locale.ROOT));
        Map<String, String> derived = new HashMap<>();
        derived.put("quarkus.datasource.active", Boolean.toString(postgres));
        String reactiveUrl = valueOf(context, "quarkus.datasource.reactive.url");
        if (postgres && !reactiveUrl.isBlank()) {
            derived.put("quarkus.datasource.jdbc.url", "jdbc:" + reactiveUrl.replaceFirst("^(vertx-reactive:)?postgres(ql)?:",
                    "postgresql:"));
        }
        return List.of(new PropertiesConfigSource(derived, "orchestrator-store", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static String valueOf(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? "" : value.getValue().trim();
    }
}
