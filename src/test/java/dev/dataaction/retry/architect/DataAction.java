package dev.dataaction.retry.architect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One Genesys Cloud Data Action of {@code deploy/genesys}, as the file holds it: the exported form that Genesys' admin UI
 * imports. The accessors return what is there, or a missing node, so that the definition test can tell a missing field
 * from a mistyped one.
 *
 * @param file where the definition was read
 * @param json the whole definition
 */
public record DataAction(Path file, JsonNode json) {

    /** The directory of the kit, relative to the project's root, where the tests run. */
    public static final Path KIT = Path.of("deploy/genesys");
    public static final String SUBMIT_RETRY = "submit-retry.json";
    public static final String RETRY_STATUS = "retry-status.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a definition of the kit by its file name. */
    public static DataAction load(String fileName) {
        Path file = KIT.resolve(fileName);
        try {
            return new DataAction(file, JSON.readTree(Files.readString(file)));
        } catch (IOException unreadable) {
            throw new UncheckedIOException("cannot read " + file, unreadable);
        }
    }

    public JsonNode request() {
        return json.path("config").path("request");
    }

    public JsonNode response() {
        return json.path("config").path("response");
    }

    public JsonNode inputSchema() {
        return json.path("contract").path("input").path("inputSchema");
    }

    public JsonNode successSchema() {
        return json.path("contract").path("output").path("successSchema");
    }

    public String requestUrlTemplate() {
        return request().path("requestUrlTemplate").asText();
    }

    public String requestType() {
        return request().path("requestType").asText();
    }

    public String requestTemplate() {
        return request().path("requestTemplate").asText();
    }

    /** The request's headers, name to template, in the file's order. */
    public Map<String, String> headers() {
        return strings(request().path("headers"));
    }

    /** The translation map: output variable to JSONPath. */
    public Map<String, String> translationMap() {
        return strings(response().path("translationMap"));
    }

    /** The translation map's defaults: output variable to the JSON text used when its path finds nothing. */
    public Map<String, String> translationMapDefaults() {
        return strings(response().path("translationMapDefaults"));
    }

    public String successTemplate() {
        return response().path("successTemplate").asText();
    }

    @Override
    public String toString() {
        return file.toString();
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        if (object == null || object instanceof MissingNode) {
            return values;
        }
        object.properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asText()));
        return values;
    }
}
