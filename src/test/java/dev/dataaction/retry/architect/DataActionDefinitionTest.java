package dev.dataaction.retry.architect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.velocity.VelocityContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;

/**
 * The Data Actions of {@code deploy/genesys} have the shape that Genesys Cloud imports (the Platform API's {@code Action}
 * with its {@code ActionConfig}, {@code RequestConfig}, {@code ResponseConfig} and contract, in the exported form the
 * admin UI reads), keep every secret in the integration's credentials, and are consistent with themselves: the templates
 * use only declared inputs, and the success template produces every output of the contract.
 */
class DataActionDefinitionTest {

    /** The fields of an exported action; anything else is a typo that Genesys would ignore or refuse. */
    private static final Set<String> ACTION_FIELDS = Set.of("name", "integrationType", "actionType", "category",
            "config", "contract", "secure");
    private static final Set<String> REQUEST_FIELDS = Set.of("requestUrlTemplate", "requestType", "headers",
            "requestTemplate");
    private static final Set<String> RESPONSE_FIELDS = Set.of("translationMap", "translationMapDefaults",
            "successTemplate");
    private static final Set<String> REQUEST_TYPES = Set.of("GET", "PUT", "POST", "PATCH", "DELETE");
    private static final Set<String> SCHEMA_TYPES = Set.of("string", "integer", "number", "boolean", "object", "array");
    /** The credential fields that the README tells the administrator to create, with these exact names. */
    private static final Set<String> CREDENTIAL_FIELDS = Set.of("baseUrl", "apiKey");
    /** Genesys' own input of every action: the call's inputs as JSON, the usual request template of a GET. */
    private static final String RAW_REQUEST = "rawRequest";

    private static final Pattern INPUT_REFERENCE = Pattern.compile("\\$!?\\{?input\\.([A-Za-z0-9_]+)");
    private static final Pattern CREDENTIAL_REFERENCE = Pattern.compile("\\$!?\\{?credentials\\.([A-Za-z0-9_]+)");
    private static final Pattern CREDENTIALS_ONLY = Pattern.compile("(\\$\\{credentials\\.[A-Za-z0-9_]+})+");
    private static final Pattern SUCCESS_VARIABLE = Pattern.compile("\\$!?\\{?([A-Za-z][A-Za-z0-9_]*)");

    @ParameterizedTest
    @ValueSource(strings = { DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS })
    void hasTheFieldsOfAnExportedWebServicesAction(String file) {
        DataAction action = DataAction.load(file);
        JsonNode json = action.json();

        assertThat(names(json)).as("%s: top-level fields", action).isSubsetOf(ACTION_FIELDS)
                .containsAll(ACTION_FIELDS);
        assertThat(json.path("name").isTextual()).as("%s: name", action).isTrue();
        assertThat(json.path("name").asText()).isNotBlank().hasSizeLessThanOrEqualTo(256);
        assertThat(json.path("category").isTextual()).as("%s: category", action).isTrue();
        assertThat(json.path("category").asText()).isNotBlank().hasSizeLessThanOrEqualTo(256);
        assertThat(json.path("integrationType").asText()).as("%s: a Web Services Data Actions integration's", action)
                .isEqualTo("custom-rest-actions");
        assertThat(json.path("actionType").asText()).as("%s: actionType", action).isEqualTo("custom");
        assertThat(json.path("secure").isBoolean()).as("%s: secure", action).isTrue();
        assertThat(json.has("integrationId")).as("%s: the integration is chosen at import", action).isFalse();

        assertThat(names(json.path("config"))).as("%s: config", action).containsExactlyInAnyOrder("request", "response");
        JsonNode request = action.request();
        assertThat(names(request)).as("%s: config.request", action).isSubsetOf(REQUEST_FIELDS)
                .contains("requestUrlTemplate", "requestType", "headers");
        assertThat(request.path("requestUrlTemplate").isTextual()).as("%s: requestUrlTemplate", action).isTrue();
        assertThat(action.requestUrlTemplate()).startsWith("${credentials.baseUrl}/v1/retries");
        assertThat(action.requestType()).as("%s: requestType", action).isIn(REQUEST_TYPES);
        assertThat(request.path("headers").isObject()).as("%s: headers", action).isTrue();
        request.path("headers").forEach(value -> assertThat(value.isTextual()).as("%s: header value", action).isTrue());
        if (!action.requestType().equals("GET")) {
            assertThat(request.path("requestTemplate").isTextual()).as("%s: requestTemplate", action).isTrue();
            assertThat(action.headers()).as("%s: the body's type", action).containsEntry("Content-Type",
                    "application/json");
        }

        JsonNode response = action.response();
        assertThat(names(response)).as("%s: config.response", action).isSubsetOf(RESPONSE_FIELDS)
                .contains("translationMap", "successTemplate");
        assertThat(response.path("translationMap").isObject()).as("%s: translationMap", action).isTrue();
        assertThat(action.translationMap()).as("%s: translationMap", action).isNotEmpty()
                .allSatisfy((variable, path) -> assertThat(path).as("%s: a JSONPath", variable).startsWith("$."));
        response.path("translationMap").forEach(path -> assertThat(path.isTextual()).isTrue());
        response.path("translationMapDefaults").forEach(value -> assertThat(value.isTextual()).isTrue());
        assertThat(action.translationMapDefaults().keySet()).as("%s: defaults of mapped variables only", action)
                .isSubsetOf(action.translationMap().keySet());
        assertThat(response.path("successTemplate").isTextual()).as("%s: successTemplate", action).isTrue();

        assertThat(names(json.path("contract"))).as("%s: contract", action).containsExactlyInAnyOrder("input", "output");
        assertIsAnObjectSchema(action, "inputSchema", action.inputSchema());
        assertIsAnObjectSchema(action, "successSchema", action.successSchema());
    }

    @Test
    void submitRetryTakesTheFailedExecutionAndGivesTheRetry() {
        DataAction submit = DataAction.load(DataAction.SUBMIT_RETRY);

        assertThat(submit.requestType()).isEqualTo("POST");
        assertThat(submit.requestUrlTemplate()).isEqualTo("${credentials.baseUrl}/v1/retries");
        assertThat(types(submit.inputSchema())).containsExactlyInAnyOrderEntriesOf(Map.of("actionId", "string",
                "originalRunId", "string", "requestPayload", "string", "flatten", "boolean"));
        assertThat(strings(submit.inputSchema().path("required"))).containsExactlyInAnyOrder("actionId",
                "originalRunId", "requestPayload");
        assertThat(types(submit.successSchema())).containsExactlyInAnyOrderEntriesOf(Map.of("requestId", "string",
                "status", "string"));
    }

    @Test
    void submitRetryRendersFlattenAsABooleanWhateverTheInputGives() throws Exception {
        DataAction submit = DataAction.load(DataAction.SUBMIT_RETRY);
        Map<String, String> credentials = Map.of("baseUrl", "https://retries.example.com", "apiKey", "k");
        Map<String, Object> inputs = new HashMap<>(Map.of("actionId", "a-1", "originalRunId", "run-1",
                "requestPayload", "{\"customerId\":\"C-1\"}"));
        ObjectMapper json = new ObjectMapper();

        assertThat(json.readTree(DataActionRuntime.request(submit, inputs, credentials).body()))
                .as("flatten not given").isEqualTo(json.readTree(
                        "{\"actionId\":\"a-1\",\"originalRunId\":\"run-1\",\"requestPayload\":{\"customerId\":\"C-1\"},"
                                + "\"flatten\":false}"));
        for (Object given : new Object[] { true, "true" }) {
            inputs.put("flatten", given);
            assertThat(json.readTree(DataActionRuntime.request(submit, inputs, credentials).body()).path("flatten"))
                    .as("flatten given as %s", given.getClass().getSimpleName()).isEqualTo(BooleanNode.TRUE);
        }
        for (Object given : new Object[] { false, "false", null }) {
            inputs.put("flatten", given);
            assertThat(json.readTree(DataActionRuntime.request(submit, inputs, credentials).body()).path("flatten"))
                    .as("flatten given as %s", given).isEqualTo(BooleanNode.FALSE);
        }
    }

    @Test
    void retryStatusReadsOneRetryByItsId() {
        DataAction status = DataAction.load(DataAction.RETRY_STATUS);

        assertThat(status.requestType()).isEqualTo("GET");
        assertThat(status.requestUrlTemplate())
                .isEqualTo("${credentials.baseUrl}/v1/retries/$esc.url(${input.requestId})");
        assertThat(types(status.inputSchema())).containsExactlyInAnyOrderEntriesOf(Map.of("requestId", "string"));
        assertThat(strings(status.inputSchema().path("required"))).containsExactly("requestId");
        assertThat(types(status.successSchema())).containsExactlyInAnyOrderEntriesOf(Map.of("requestId", "string",
                "status", "string", "attemptCount", "integer", "lastErrorCode", "string"));
        assertThat(status.translationMapDefaults()).as("no last error: an empty string, as JSON text")
                .containsEntry("lastErrorCode", "\"\"");
    }

    @ParameterizedTest
    @ValueSource(strings = { DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS })
    void keepsTheApiKeyInTheIntegrationsCredentials(String file) {
        DataAction action = DataAction.load(file);

        assertThat(action.headers()).as("%s: the key, from the credentials", action)
                .containsEntry("X-API-Key", "${credentials.apiKey}");
        action.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                assertThat(value).as("%s: header %s holds credential fields only", action, name)
                        .matches(CREDENTIALS_ONLY);
            }
        });
        assertThat(references(CREDENTIAL_REFERENCE, templates(action))).as("%s: credential fields", action)
                .isSubsetOf(CREDENTIAL_FIELDS);
    }

    @ParameterizedTest
    @ValueSource(strings = { DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS })
    void usesOnlyDeclaredInputs(String file) {
        DataAction action = DataAction.load(file);
        Set<String> declared = new HashSet<>(types(action.inputSchema()).keySet());
        declared.add(RAW_REQUEST);

        Set<String> used = references(INPUT_REFERENCE, templates(action));

        assertThat(used).as("%s: inputs the templates use", action).isNotEmpty().isSubsetOf(declared);
        assertThat(used).as("%s: every required input is used", action)
                .containsAll(strings(action.inputSchema().path("required")));
    }

    @ParameterizedTest
    @ValueSource(strings = { DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS })
    void successTemplateProducesEveryOutputFromTheTranslationMap(String file) throws Exception {
        DataAction action = DataAction.load(file);

        assertThat(references(SUCCESS_VARIABLE, List.of(action.successTemplate())))
                .as("%s: variables of the success template", action)
                .isSubsetOf(action.translationMap().keySet());
        VelocityContext context = new VelocityContext();
        action.translationMap().keySet().forEach(variable -> context.put(variable, "null"));
        JsonNode output = new ObjectMapper().readTree(DataActionRuntime.render(action.successTemplate(), context,
                "successTemplate"));
        assertThat(names(output)).as("%s: outputs of the success template", action)
                .containsExactlyInAnyOrderElementsOf(types(action.successSchema()).keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = { DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS })
    void everyTemplateIsValidVelocity(String file) {
        DataAction action = DataAction.load(file);
        // ParseErrorException on a syntax error
        templates(action).forEach(template -> DataActionRuntime.render(template, new VelocityContext(), file));
        DataActionRuntime.render(action.successTemplate(), new VelocityContext(), file);
    }

    @Test
    void theGuideNamesTheActionsAndTheCredentialFields() throws IOException {
        // the text is wrapped: a name may run over two lines
        String readme = Files.readString(Path.of("README.md")).replaceAll("\\s+", " ");
        String kitReadme = Files.readString(DataAction.KIT.resolve("README.md")).replaceAll("\\s+", " ");

        for (String file : List.of(DataAction.SUBMIT_RETRY, DataAction.RETRY_STATUS)) {
            String name = DataAction.load(file).json().path("name").asText();
            assertThat(readme.contains(name)).as("README.md names %s", name).isTrue();
            assertThat(kitReadme.contains(file)).as("deploy/genesys/README.md lists %s", file).isTrue();
            assertThat(kitReadme.contains(name)).as("deploy/genesys/README.md names %s", name).isTrue();
        }
        CREDENTIAL_FIELDS.forEach(field -> assertThat(readme.contains("`" + field + "`"))
                .as("README.md names the credential field %s", field).isTrue());
    }

    private static void assertIsAnObjectSchema(DataAction action, String which, JsonNode schema) {
        assertThat(schema.isObject()).as("%s: %s", action, which).isTrue();
        assertThat(schema.path("$schema").asText()).as("%s: %s draft", action, which)
                .isEqualTo("http://json-schema.org/draft-04/schema#");
        assertThat(schema.path("title").isTextual()).as("%s: %s title", action, which).isTrue();
        assertThat(schema.path("type").asText()).as("%s: %s type", action, which).isEqualTo("object");
        assertThat(schema.path("properties").isObject()).as("%s: %s properties", action, which).isTrue();
        assertThat(types(schema)).as("%s: %s property types", action, which).isNotEmpty()
                .allSatisfy((property, type) -> assertThat(type).as(property).isIn(SCHEMA_TYPES));
        assertThat(schema.path("required").isArray()).as("%s: %s required", action, which).isTrue();
        assertThat(strings(schema.path("required"))).as("%s: %s required properties exist", action, which)
                .isNotEmpty().isSubsetOf(types(schema).keySet());
    }

    /** Property name to declared type. */
    private static Map<String, String> types(JsonNode schema) {
        return schema.path("properties").properties().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, property -> property.getValue().path("type").asText()));
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.elements().forEachRemaining(element -> strings.add(element.asText()));
        return strings;
    }

    /** Every template of the request. */
    private static List<String> templates(DataAction action) {
        return Stream.concat(Stream.of(action.requestUrlTemplate(), action.requestTemplate()),
                action.headers().values().stream()).toList();
    }

    private static Set<String> references(Pattern reference, List<String> templates) {
        Set<String> found = new TreeSet<>();
        for (String template : templates) {
            Matcher matcher = reference.matcher(template);
            while (matcher.find()) {
                found.add(matcher.group(1));
            }
        }
        return found;
    }
}
