package dev.dataaction.retry.architect;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

/**
 * What Genesys Cloud does with a Data Action when a flow calls it, as far as its documentation describes it, so that the
 * actions of {@code deploy/genesys} can be run against the service in a test:
 * <ul>
 * <li>the URL template, the headers and the request template are Velocity templates, with the call's inputs as
 * {@code $input}, the integration's credential fields as {@code $credentials} and the escaping tool as {@code $esc};</li>
 * <li>each JSONPath of the translation map is applied to the response body, and its value is given to the success
 * template as JSON text (a string with its quotes); a path that finds nothing takes the default's text, and without a
 * default the action fails;</li>
 * <li>the success template's output must be JSON that conforms to the output contract, or the action fails.</li>
 * </ul>
 */
public final class DataActionRuntime {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration JSON_PATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .build();
    private static final VelocityEngine VELOCITY = new VelocityEngine();

    static {
        VELOCITY.init();
    }

    private DataActionRuntime() {
    }

    /** The HTTP request that Genesys would send for a call of {@code action}. */
    public record RenderedRequest(String method, String url, Map<String, String> headers, String body) {
    }

    /** Renders the request of a call with {@code input} through an integration with {@code credentials}. */
    public static RenderedRequest request(DataAction action, Map<String, ?> input, Map<String, String> credentials) {
        VelocityContext context = new VelocityContext();
        context.put("input", input);
        context.put("credentials", credentials);
        context.put("esc", new GenesysEscapes());
        Map<String, String> headers = new LinkedHashMap<>();
        action.headers().forEach((name, template) -> headers.put(name, render(template, context, name)));
        String body = action.requestType().equals("GET") ? null
                : render(action.requestTemplate(), context, "requestTemplate");
        return new RenderedRequest(action.requestType(), render(action.requestUrlTemplate(), context, "requestUrlTemplate"),
                headers, body);
    }

    /**
     * What the flow receives from a successful call whose response body is {@code rawResponse}: the translation map
     * applied, the success template rendered and parsed, and checked against the output contract.
     */
    public static JsonNode output(DataAction action, String rawResponse) {
        VelocityContext context = new VelocityContext();
        translate(action, rawResponse).forEach(context::put);
        String rendered = render(action.successTemplate(), context, "successTemplate");
        JsonNode output;
        try {
            output = JSON.readTree(rendered);
        } catch (JsonProcessingException notJson) {
            throw new IllegalStateException(action + ": the success template rendered no JSON: " + rendered, notJson);
        }
        List<String> problems = conformance(output, action.successSchema());
        if (!problems.isEmpty()) {
            throw new IllegalStateException(action + ": the output " + rendered + " breaks the output contract: " + problems);
        }
        return output;
    }

    /** Each translation map variable and the JSON text that the success template receives for it. */
    public static Map<String, String> translate(DataAction action, String rawResponse) {
        DocumentContext document = JsonPath.using(JSON_PATH).parse(rawResponse);
        Map<String, String> defaults = action.translationMapDefaults();
        Map<String, String> values = new LinkedHashMap<>();
        action.translationMap().forEach((variable, path) -> {
            try {
                values.put(variable, JSON.writeValueAsString(document.read(path, Object.class)));
            } catch (PathNotFoundException nothing) {
                if (!defaults.containsKey(variable)) {
                    throw new IllegalStateException(action + ": " + path + " finds nothing in " + rawResponse
                            + " and " + variable + " has no default", nothing);
                }
                values.put(variable, defaults.get(variable));
            } catch (JsonProcessingException unwritable) {
                throw new IllegalStateException(unwritable);
            }
        });
        return values;
    }

    /** Renders one template of a definition with Velocity; a syntax error fails. */
    public static String render(String template, VelocityContext context, String name) {
        StringWriter out = new StringWriter();
        VELOCITY.evaluate(context, out, name, template);
        return out.toString();
    }

    /**
     * What keeps {@code value} from conforming to {@code schema}, a JSON Schema of the flat kind that Data Action contracts
     * use: an object whose required properties are present and whose properties have their declared type.
     */
    public static List<String> conformance(JsonNode value, JsonNode schema) {
        List<String> problems = new ArrayList<>();
        if (!value.isObject()) {
            problems.add("not a JSON object");
            return problems;
        }
        schema.path("required").forEach(required -> {
            if (!value.has(required.asText())) {
                problems.add(required.asText() + " is missing");
            }
        });
        schema.path("properties").properties().forEach(property -> {
            JsonNode found = value.get(property.getKey());
            String type = property.getValue().path("type").asText();
            if (found != null && !found.isNull() && !hasType(found, type)) {
                problems.add(property.getKey() + " is not of type " + type + ": " + found);
            }
        });
        return problems;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> false;
        };
    }
}
