package dev.dataaction.retry.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.dataaction.retry.store.StoreFailures;
import dev.dataaction.retry.store.TrafficSettings;
import io.smallrye.mutiny.Uni;

/** What the console's pages share: how they show times, limits and links, and how they answer when the store does not. */
final class Pages {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Pages() {
    }

    /** A store that cannot be reached gets a page that says so (503); other failures stay failures. */
    static <T> Uni<T> fromStore(Uni<T> call) {
        return call.onFailure(StoreFailures::isTransient).transform(failure -> ConsoleRefusal.storeUnavailable());
    }

    /** A JSON value indented for a page: a payload, or the output a dry run reports. */
    static String json(ObjectMapper json, JsonNode value) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException unwritable) {
            return value.toString();
        }
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    /** A duration as an operator reads it: 850 ms, 2.4 s, 3 min 5 s. */
    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1_000.0);
        }
        return duration.toMinutes() + " min " + duration.toSecondsPart() + " s";
    }

    static String limits(TrafficSettings.Limits limits) {
        String concurrent = limits.maxConcurrent() == null ? "no concurrency limit"
                : "at most " + limits.maxConcurrent() + " at once";
        String rate = limits.maxPerSecond() == null ? "no rate limit"
                : "at most " + number(limits.maxPerSecond()) + " a second";
        return concurrent + ", " + rate;
    }

    static String number(Double value) {
        if (value == null) {
            return "";
        }
        return value == Math.rint(value) ? Long.toString(value.longValue()) : value.toString();
    }

    /** A console path with its query, leaving out the parameters without a value. */
    static String link(String path, Map<String, String> query) {
        StringJoiner parameters = new StringJoiner("&", path + "?", "").setEmptyValue(path);
        query.forEach((name, value) -> {
            if (value != null && !value.isEmpty()) {
                parameters.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return parameters.toString();
    }

    /** After a form: 303 to the page that shows what it did. */
    static Response redirect(UriInfo uri, String pathAndQuery) {
        return Response.seeOther(uri.getBaseUri().resolve(pathAndQuery)).build();
    }

    static Map<String, String> query(String... namesAndValues) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            query.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return query;
    }
}
