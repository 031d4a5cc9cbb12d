package dev.dataaction.retry.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.dataaction.retry.ingest.ActionResource;
import dev.dataaction.retry.ingest.BatchResults;
import dev.dataaction.retry.ingest.Problem;
import dev.dataaction.retry.observe.WebhookEvent;
import dev.dataaction.retry.pipeline.AttemptGate;
import dev.dataaction.retry.store.RetryRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A native executable serialises only the types registered for reflection. Jackson writes these bodies, so every type
 * of ours reachable from them must carry {@link RegisterForReflection}; a type added without it fails here instead of
 * answering an empty object in production.
 */
class ReflectionRegistrationTest {

    /** The bodies this service writes with Jackson: API answers, problems and webhook events. */
    private static final List<Class<?>> SERIALISED_BODIES = List.of(RetryRecord.class, Problem.class, BatchResults.class,
            WebhookEvent.class, ActionResource.ActionState.class, AttemptGate.ServiceTraffic.class);

    @Test
    void everyTypeOfOursInASerialisedBodyIsRegisteredForReflection() throws ClassNotFoundException {
        // the body of the runs contract is package-private to the Genesys client
        Set<Class<?>> reachable = reachableTypesOfOurs(Class.forName("dev.dataaction.retry.genesys.RunSubmission"));

        assertThat(reachable).hasSizeGreaterThan(SERIALISED_BODIES.size());
        assertThat(reachable)
                .filteredOn(type -> !type.isEnum() && !type.isAnnotationPresent(RegisterForReflection.class))
                .as("serialised types without @RegisterForReflection")
                .isEmpty();
    }

    private static Set<Class<?>> reachableTypesOfOurs(Class<?> more) {
        Set<Class<?>> seen = new LinkedHashSet<>();
        Deque<Type> pending = new ArrayDeque<>(SERIALISED_BODIES);
        pending.add(more);
        while (!pending.isEmpty()) {
            Type type = pending.pop();
            if (type instanceof ParameterizedType parameterized) {
                pending.addAll(List.of(parameterized.getActualTypeArguments()));
            } else if (type instanceof Class<?> raw && isOurs(raw) && seen.add(raw) && raw.isRecord()) {
                for (RecordComponent component : raw.getRecordComponents()) {
                    pending.add(component.getGenericType());
                }
            }
        }
        return seen;
    }

    private static boolean isOurs(Class<?> type) {
        return type.getPackageName().startsWith("dev.dataaction.retry");
    }
}
