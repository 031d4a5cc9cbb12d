package dev.dataaction.retry.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Offline check of the deployment material under {@code deploy/}. Each Kustomize overlay is rendered with
 * {@code kubectl kustomize} (no cluster needed) and every rendered object is inspected; the Knative Service, the
 * Prometheus rules and the Grafana dashboard are read as they are. A plain JUnit test: no Quarkus application starts.
 */
class KubernetesManifestsTest {

    private static final String APP = "genesys-retry-orchestrator";
    private static final String CONFIG_MAP = "genesys-retry-orchestrator-config";
    private static final int HTTP_PORT = 8080;
    private static final List<String> OVERLAYS = List.of("jvm", "native");

    /** The series the service exposes on /q/metrics (Micrometer timers: _count, _sum, _max, and _bucket where enabled). */
    static final Set<String> SERVICE_METRICS = Set.of(
            "orchestrator_retries_accepted_total",
            "orchestrator_retries_rejected_total",
            "orchestrator_attempts_total",
            "orchestrator_retries_completed_total",
            "orchestrator_retry_latency_seconds_bucket",
            "orchestrator_retry_latency_seconds_count",
            "orchestrator_retry_latency_seconds_sum",
            "orchestrator_retry_latency_seconds_max",
            "orchestrator_attempt_duration_seconds_count",
            "orchestrator_attempt_duration_seconds_sum",
            "orchestrator_attempt_duration_seconds_max",
            "orchestrator_queue_in_use",
            "orchestrator_queue_capacity",
            "orchestrator_circuit_open",
            "orchestrator_token_failures_total",
            "http_server_requests_seconds_count",
            "http_server_requests_seconds_sum",
            "http_server_requests_seconds_max");

    /** The values the service gives its enum-valued metric labels. */
    static final Map<String, Set<String>> LABEL_VALUES = Map.of(
            "outcome",
            Set.of("SUCCESS", "RATE_LIMITED", "SERVER_ERROR", "TIMEOUT", "NETWORK_ERROR", "AUTH_REJECTED", "CLIENT_ERROR"),
            "status", Set.of("SUCCEEDED", "FAILED", "EXHAUSTED", "CANCELLED"));

    /** PromQL functions, aggregations and keywords (and Grafana's label_values), which are not metric names. */
    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
            "group", "limitk", "limit_ratio", "and", "or", "unless", "bool", "offset", "inf", "nan", "rate", "irate",
            "increase", "delta", "idelta", "deriv", "predict_linear", "histogram_quantile", "histogram_count",
            "histogram_sum", "histogram_fraction", "histogram_avg", "abs", "absent", "absent_over_time", "ceil", "floor",
            "round", "clamp", "clamp_min", "clamp_max", "exp", "ln", "log2", "log10", "sqrt", "sgn", "label_replace",
            "label_join", "sum_over_time", "avg_over_time", "min_over_time", "max_over_time", "count_over_time",
            "last_over_time", "present_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
            "changes", "resets", "time", "timestamp", "vector", "scalar", "sort", "sort_desc", "label_values");

    private static final Pattern SECRET_LIKE_NAME = Pattern.compile("SECRET|KEY|PASSWORD|TOKEN");

    private static final Path ROOT = projectRoot();
    private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

    // ---------------------------------------------------------------------------------------------------------
    // Kustomize overlays
    // ---------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = { "jvm", "native" })
    void deploymentIsProbedSizedAndHardened(String overlay) {
        List<Map<String, Object>> objects = rendered(overlay);
        List<String> problems = new ArrayList<>();
        String where = "overlay " + overlay + ", Deployment " + APP;

        Map<String, Object> deployment = single(objects, "Deployment", APP);
        Map<String, Object> pod = map(at(deployment, "spec", "template", "spec"));
        checkPodSpec(where, pod, problems);

        Object grace = pod.get("terminationGracePeriodSeconds");
        if (!(grace instanceof Number n) || n.longValue() <= 30) {
            problems.add(where + ": terminationGracePeriodSeconds must exceed quarkus.shutdown.timeout (30 s), is "
                    + grace);
        }
        assertNoProblems(problems);
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = { "jvm", "native" })
    void noSecretValueIsRenderedAndEveryImageIsPinned(String overlay) {
        List<Map<String, Object>> objects = rendered(overlay);
        List<String> problems = new ArrayList<>();
        String where = "overlay " + overlay;

        for (Map<String, Object> object : objects) {
            if ("Secret".equals(object.get("kind"))
                    && (!map(object.get("data")).isEmpty() || !map(object.get("stringData")).isEmpty())) {
                problems.add(where + ": renders Secret " + name(object)
                        + " with data; the Secret is created out of band and only referenced");
            }
            if ("ConfigMap".equals(object.get("kind"))) {
                for (String key : map(object.get("data")).keySet()) {
                    if (isSecretLike(key)) {
                        problems.add(where + ": ConfigMap " + name(object) + " holds " + key
                                + ", which belongs in the Secret");
                    }
                }
            }
            for (Map<String, Object> pod : podSpecs(object)) {
                for (Map<String, Object> container : containers(pod)) {
                    String at = where + ", " + object.get("kind") + " " + name(object) + ", container "
                            + container.get("name");
                    checkImagePinned(at, container.get("image"), problems);
                    checkEnvHasNoLiteralSecrets(at, container, problems);
                }
            }
        }
        assertNoProblems(problems);
    }

    @ParameterizedTest(name = "overlay {0}")
    @ValueSource(strings = { "jvm", "native" })
    void companionObjectsExistAndPointAtThePods(String overlay) {
        List<Map<String, Object>> objects = rendered(overlay);
        List<String> problems = new ArrayList<>();
        String where = "overlay " + overlay;

        Map<String, Object> deployment = single(objects, "Deployment", APP);
        Map<String, Object> podLabels = map(at(deployment, "spec", "template", "metadata", "labels"));
        Map<String, Object> pod = map(at(deployment, "spec", "template", "spec"));
        Map<String, Object> container = containers(pod).get(0);

        // Service: port 80 named http, to the container's 8080.
        Map<String, Object> service = single(objects, "Service", APP);
        if (!selects(map(at(service, "spec", "selector")), podLabels)) {
            problems.add(where + ": the Service's selector does not select the Deployment's pods");
        }
        Map<String, Object> http = list(at(service, "spec", "ports")).stream().map(KubernetesManifestsTest::map)
                .filter(p -> "http".equals(p.get("name"))).findFirst().orElse(Map.of());
        if (!Objects.equals(http.get("port"), 80) || resolvePort(http.get("targetPort"), container) != HTTP_PORT) {
            problems.add(where + ": the Service needs a port named http, 80 -> " + HTTP_PORT + ", has " + http);
        }

        // HorizontalPodAutoscaler on CPU, for the Deployment.
        Map<String, Object> hpa = single(objects, "HorizontalPodAutoscaler", APP);
        if (!"autoscaling/v2".equals(hpa.get("apiVersion"))) {
            problems.add(where + ": the HorizontalPodAutoscaler must be autoscaling/v2");
        }
        if (!"Deployment".equals(at(hpa, "spec", "scaleTargetRef", "kind"))
                || !APP.equals(at(hpa, "spec", "scaleTargetRef", "name"))) {
            problems.add(where + ": the HorizontalPodAutoscaler does not target Deployment " + APP);
        }
        if (!(at(hpa, "spec", "minReplicas") instanceof Integer min) || min < 1) {
            problems.add(where + ": the HorizontalPodAutoscaler needs minReplicas >= 1");
        }
        boolean onCpu = list(at(hpa, "spec", "metrics")).stream()
                .anyMatch(m -> "cpu".equals(at(m, "resource", "name")));
        if (!onCpu) {
            problems.add(where + ": the HorizontalPodAutoscaler does not scale on CPU");
        }

        // PodDisruptionBudget keeping one pod.
        Map<String, Object> pdb = single(objects, "PodDisruptionBudget", APP);
        if (!Objects.equals(at(pdb, "spec", "minAvailable"), 1)) {
            problems.add(where + ": the PodDisruptionBudget needs minAvailable 1, has "
                    + at(pdb, "spec", "minAvailable"));
        }
        if (!selects(map(at(pdb, "spec", "selector", "matchLabels")), podLabels)) {
            problems.add(where + ": the PodDisruptionBudget does not select the Deployment's pods");
        }

        // NetworkPolicy: ingress on 8080 only; egress DNS, HTTPS, PostgreSQL.
        Map<String, Object> policy = single(objects, "NetworkPolicy", APP);
        if (!selects(map(at(policy, "spec", "podSelector", "matchLabels")), podLabels)) {
            problems.add(where + ": the NetworkPolicy does not select the Deployment's pods");
        }
        List<Object> policyTypes = list(at(policy, "spec", "policyTypes"));
        if (!policyTypes.contains("Ingress") || !policyTypes.contains("Egress")) {
            problems.add(where + ": the NetworkPolicy must restrict both Ingress and Egress, has " + policyTypes);
        }
        Set<String> ingress = ports(list(at(policy, "spec", "ingress")));
        if (!ingress.equals(Set.of("TCP/" + HTTP_PORT))) {
            problems.add(where + ": the NetworkPolicy must admit TCP " + HTTP_PORT + " only, admits " + ingress);
        }
        Set<String> egress = ports(list(at(policy, "spec", "egress")));
        for (String needed : List.of("UDP/53", "TCP/53", "TCP/443", "TCP/5432")) {
            if (!egress.contains(needed)) {
                problems.add(where + ": the NetworkPolicy's egress lacks " + needed + ", has " + egress);
            }
        }

        // ServiceMonitor scraping /q/metrics through the Service's http port.
        Map<String, Object> monitor = single(objects, "ServiceMonitor", APP);
        if (!"monitoring.coreos.com/v1".equals(monitor.get("apiVersion"))) {
            problems.add(where + ": the ServiceMonitor must be monitoring.coreos.com/v1");
        }
        if (!selects(map(at(monitor, "spec", "selector", "matchLabels")), map(at(service, "metadata", "labels")))) {
            problems.add(where + ": the ServiceMonitor does not select the Service");
        }
        boolean scrapesMetrics = list(at(monitor, "spec", "endpoints")).stream()
                .anyMatch(e -> "/q/metrics".equals(at(e, "path")) && "http".equals(at(e, "port")));
        if (!scrapesMetrics) {
            problems.add(where + ": the ServiceMonitor does not scrape /q/metrics on port http");
        }

        // The configuration the container reads is rendered; the secrets it reads are only referenced.
        single(objects, "ConfigMap", CONFIG_MAP);
        boolean readsConfigMap = list(container.get("envFrom")).stream()
                .anyMatch(e -> CONFIG_MAP.equals(at(e, "configMapRef", "name")));
        if (!readsConfigMap) {
            problems.add(where + ": the container does not read ConfigMap " + CONFIG_MAP + " (envFrom)");
        }
        assertNoProblems(problems);
    }

    @Test
    void eachOverlayRunsItsOwnImageAndTheNativeOneAsksForLessMemory() {
        Map<String, Map<String, Object>> containers = new LinkedHashMap<>();
        for (String overlay : OVERLAYS) {
            Map<String, Object> deployment = single(rendered(overlay), "Deployment", APP);
            Map<String, Object> container = containers(map(at(deployment, "spec", "template", "spec"))).get(0);
            containers.put(overlay, container);
            String image = String.valueOf(container.get("image"));
            assertTrue(image.matches("(.*/)?" + APP + "-" + overlay + ":[^:/]+"),
                    "overlay " + overlay + " must run image " + APP + "-" + overlay + ":<version>, runs " + image);
        }
        double jvm = quantity(at(containers.get("jvm"), "resources", "limits", "memory"));
        double nativeLimit = quantity(at(containers.get("native"), "resources", "limits", "memory"));
        assertTrue(nativeLimit < jvm, "the native overlay must ask for less memory than the jvm one");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Knative
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void knativeServiceScalesToZeroOnlyWithTheDurableStoreAndIsProbedAndHardened() throws IOException {
        Path file = ROOT.resolve("deploy/knative/service.yaml");
        List<Map<String, Object>> objects = yamlDocuments(Files.readString(file));
        Map<String, Object> service = single(objects, "Service", APP);
        List<String> problems = new ArrayList<>();
        String where = "deploy/knative/service.yaml";

        assertEquals("serving.knative.dev/v1", service.get("apiVersion"), where + ": apiVersion");
        Map<String, Object> annotations = map(at(service, "spec", "template", "metadata", "annotations"));
        Object minScale = annotations.get("autoscaling.knative.dev/min-scale");
        Map<String, Object> config = map(single(yamlDocuments(Files.readString(
                ROOT.resolve("deploy/kubernetes/base/configmap.yaml"))), "ConfigMap", APP + "-config").get("data"));
        boolean durable = "postgres".equals(config.get("ORCHESTRATOR_STORE"));
        if (!"1".equals(minScale) && !("0".equals(minScale) && durable)) {
            problems.add(where + ": autoscaling.knative.dev/min-scale must be \"1\", or \"0\" with ORCHESTRATOR_STORE="
                    + "postgres in the ConfigMap (scale-to-zero would lose retries kept in memory); is " + minScale
                    + " with ORCHESTRATOR_STORE=" + config.get("ORCHESTRATOR_STORE"));
        }
        if (annotations.containsKey("autoscaling.knative.dev/minScale")) {
            problems.add(where + ": the old minScale annotation would compete with min-scale");
        }
        boolean explained = Files.readAllLines(file).stream()
                .anyMatch(line -> line.strip().startsWith("#") && line.toLowerCase(Locale.ROOT).contains("scale-to-zero"));
        if (!explained) {
            problems.add(where + ": a comment must say what scale-to-zero means for pending retries");
        }
        if ("0".equals(minScale)) {
            Map<String, Object> wakeUp = single(yamlDocuments(Files.readString(ROOT.resolve("deploy/knative/wake-up.yaml"))),
                    "CronJob", APP + "-wake-up");
            String ping = String.join(" ", list(at(containers(podSpecs(wakeUp).get(0)).get(0), "args")).stream()
                    .map(String::valueOf).toList());
            if (!ping.contains("http://" + APP + ".")) {
                problems.add("deploy/knative/wake-up.yaml: must start a pod of " + APP + " (pings " + ping + ")");
            }
            for (Map<String, Object> container : containers(podSpecs(wakeUp).get(0))) {
                checkImagePinned("deploy/knative/wake-up.yaml", container.get("image"), problems);
            }
        }

        Map<String, Object> pod = map(at(service, "spec", "template", "spec"));
        checkPodSpec(where, pod, problems);
        for (Map<String, Object> container : containers(pod)) {
            checkImagePinned(where, container.get("image"), problems);
            checkEnvHasNoLiteralSecrets(where, container, problems);
        }
        assertNoProblems(problems);
    }

    @Test
    void knativeServiceRunsTheNativeImageWithTheNativeOverlaysSizing() throws IOException {
        String where = "deploy/knative/service.yaml";
        Map<String, Object> service = single(yamlDocuments(Files.readString(ROOT.resolve(where))), "Service", APP);
        Map<String, Object> knative = containers(podSpecs(service).get(0)).get(0);
        Map<String, Object> overlay = containers(map(at(single(rendered("native"), "Deployment", APP), "spec",
                "template", "spec"))).get(0);

        String image = String.valueOf(knative.get("image"));
        assertTrue(image.matches("(.*/)?" + APP + "-native:[^:/]+"),
                where + " must run image " + APP + "-native:<version> by default, runs " + image);
        for (String bound : List.of("requests", "limits")) {
            assertEquals(quantity(at(overlay, "resources", bound, "memory")),
                    quantity(at(knative, "resources", bound, "memory")),
                    where + ": memory " + bound + " must be the native overlay's");
        }
    }

    @Test
    void nativeContainersAreNotGivenJvmSettings() throws IOException {
        Map<String, Map<String, Object>> containers = new LinkedHashMap<>();
        containers.put("overlay native", containers(map(at(single(rendered("native"), "Deployment", APP), "spec",
                "template", "spec"))).get(0));
        containers.put("deploy/knative/service.yaml", containers(podSpecs(single(yamlDocuments(Files.readString(
                ROOT.resolve("deploy/knative/service.yaml"))), "Service", APP)).get(0)).get(0));
        List<String> problems = new ArrayList<>();
        containers.forEach((where, container) -> {
            for (Object entry : list(container.get("env"))) {
                String name = String.valueOf(at(entry, "name"));
                // read by the JVM image's launcher only; the native executable would silently ignore them
                if (name.startsWith("JAVA_") || name.startsWith("JDK_")) {
                    problems.add(where + ": sets " + name + ", which only the JVM image reads");
                }
            }
        });
        assertNoProblems(problems);
    }

    @Test
    void nativeImageCopiesTheExecutableThisBuildProduces() throws Exception {
        String where = "src/main/docker/Dockerfile.native-micro";
        // what ./mvnw package -Dnative writes: target/<artifactId>-<version>-runner
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
        String executable = "target/" + childText(project, "artifactId") + "-" + childText(project, "version") + "-runner";

        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve(where))) {
            Matcher copy = Pattern.compile("^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+/deployments/application\\s*$")
                    .matcher(line.strip());
            if (copy.matches()) {
                sources.add(copy.group(1));
            }
        }
        assertEquals(1, sources.size(), where + " must COPY one executable to /deployments/application, copies " + sources);
        assertTrue(glob(sources.get(0)).matches(Path.of(executable)),
                where + " copies " + sources.get(0) + ", which does not match the build's " + executable);
        boolean admitted = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(line -> line.startsWith("!"))
                .anyMatch(line -> glob(line.substring(1)).matches(Path.of(executable)));
        assertTrue(admitted, ".dockerignore must let " + executable + " into the build context");
    }

    private static PathMatcher glob(String pattern) {
        return ROOT.getFileSystem().getPathMatcher("glob:" + pattern);
    }

    private static String childText(Element parent, String name) {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals(name)) {
                return element.getTextContent().strip();
            }
        }
        throw new AssertionError("pom.xml has no <" + name + "> under <project>");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Monitoring
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void prometheusRulesAreCompleteAndUseOnlyTheServiceMetrics() throws IOException {
        String where = "deploy/monitoring/prometheus-rules.yaml";
        List<Map<String, Object>> objects = yamlDocuments(Files.readString(ROOT.resolve(where)));
        Map<String, Object> rule = single(objects, "PrometheusRule", APP);
        assertEquals("monitoring.coreos.com/v1", rule.get("apiVersion"), where + ": apiVersion");

        List<String> problems = new ArrayList<>();
        Set<String> recorded = new LinkedHashSet<>();
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : list(at(rule, "spec", "groups"))) {
            for (Object r : list(at(group, "rules"))) {
                rules.add(map(r));
                if (map(r).get("record") instanceof String record) {
                    recorded.add(record);
                }
            }
        }
        Set<String> allowed = new LinkedHashSet<>(SERVICE_METRICS);
        allowed.addAll(recorded);

        Set<String> usedByAlerts = new LinkedHashSet<>();
        int alerts = 0;
        for (Map<String, Object> r : rules) {
            String id = r.containsKey("alert") ? "alert " + r.get("alert") : "record " + r.get("record");
            String expr = r.get("expr") instanceof String s ? s : null;
            if (expr == null || expr.isBlank()) {
                problems.add(where + ", " + id + ": no expr");
                continue;
            }
            Set<String> metrics = checkQuery(where + ", " + id, expr, allowed, problems);
            if (!r.containsKey("alert")) {
                continue;
            }
            alerts++;
            usedByAlerts.addAll(metrics);
            Object severity = at(r, "labels", "severity");
            if (!Set.of("critical", "warning", "info").contains(severity)) {
                problems.add(where + ", " + id + ": severity label must be critical, warning or info, is " + severity);
            }
            for (String annotation : List.of("summary", "description")) {
                if (!(at(r, "annotations", annotation) instanceof String text) || text.isBlank()) {
                    problems.add(where + ", " + id + ": no " + annotation + " annotation");
                }
            }
        }
        if (alerts == 0) {
            problems.add(where + ": no alert");
        }
        // The four situations that must page or warn someone.
        for (String metric : List.of("orchestrator_retries_completed_total", "orchestrator_queue_in_use",
                "orchestrator_circuit_open", "orchestrator_token_failures_total")) {
            if (!usedByAlerts.contains(metric)) {
                problems.add(where + ": no alert watches " + metric);
            }
        }
        boolean exhaustion = rules.stream().map(r -> String.valueOf(r.get("expr")))
                .anyMatch(e -> e.contains("orchestrator_retries_completed_total") && e.contains("EXHAUSTED"));
        boolean saturation = rules.stream().map(r -> String.valueOf(r.get("expr")))
                .anyMatch(e -> e.contains("orchestrator_queue_in_use") && e.contains("orchestrator_queue_capacity"));
        boolean tokenIncrease = rules.stream().map(r -> String.valueOf(r.get("expr")))
                .anyMatch(e -> e.contains("increase(orchestrator_token_failures_total"));
        if (!exhaustion || !saturation || !tokenIncrease) {
            problems.add(where + ": expected alerts on the EXHAUSTED share (" + exhaustion
                    + "), queue in use / capacity (" + saturation + ") and increase of token failures ("
                    + tokenIncrease + ")");
        }
        assertNoProblems(problems);
    }

    @Test
    void grafanaDashboardIsValidJsonAndQueriesOnlyTheServiceMetrics() throws IOException {
        String where = "deploy/monitoring/grafana-dashboard.json";
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        JsonNode dashboard = json.readTree(ROOT.resolve(where).toFile());
        List<String> problems = new ArrayList<>();

        if (dashboard.path("title").asText().isBlank() || !dashboard.path("panels").isArray()
                || dashboard.path("panels").isEmpty()) {
            problems.add(where + ": needs a title and panels");
        }
        List<String> queries = new ArrayList<>();
        collectExpressions(dashboard, queries);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.add(query.isTextual() ? query.asText() : query.path("query").asText());
            }
        }
        if (queries.isEmpty()) {
            problems.add(where + ": no query");
        }
        Set<String> used = new LinkedHashSet<>();
        for (String query : queries) {
            used.addAll(checkQuery(where, query, SERVICE_METRICS, problems));
        }
        // Every metric family the service exposes has a panel.
        for (String family : List.of("orchestrator_retries_accepted_total", "orchestrator_retries_rejected_total",
                "orchestrator_attempts_total", "orchestrator_retries_completed_total",
                "orchestrator_retry_latency_seconds_bucket", "orchestrator_attempt_duration_seconds",
                "orchestrator_queue_in_use", "orchestrator_queue_capacity", "orchestrator_circuit_open",
                "orchestrator_token_failures_total", "http_server_requests_seconds")) {
            if (used.stream().noneMatch(m -> m.startsWith(family))) {
                problems.add(where + ": no panel shows " + family);
            }
        }
        for (String quantile : List.of("0.5", "0.95", "0.99")) {
            boolean shown = queries.stream().anyMatch(q -> q.replace(" ", "")
                    .contains("histogram_quantile(" + quantile + ",")
                    && q.contains("orchestrator_retry_latency_seconds_bucket"));
            if (!shown) {
                problems.add(where + ": no histogram_quantile(" + quantile + ", ...) of the retry latency");
            }
        }
        assertNoProblems(problems);
    }

    /** The query checker itself: it must find metric names, and report unknown names and label values. */
    @Test
    void queryCheckerFindsMetricNamesAndRejectsUnknownOnes() {
        assertEquals(Set.of("orchestrator_retry_latency_seconds_bucket"), metricNames(
                "histogram_quantile(0.95, sum by (le) (rate(orchestrator_retry_latency_seconds_bucket{namespace=~\"$namespace\"}[$__rate_interval])))"));
        assertEquals(Set.of("orchestrator_queue_in_use", "orchestrator_queue_capacity"), metricNames(
                "max by (namespace, pod) (orchestrator_queue_in_use / orchestrator_queue_capacity) > 0.9"));
        assertEquals(Set.of("orchestrator_retries_completed_total"),
                metricNames("sum(rate(orchestrator_retries_completed_total[5m] offset 1h)) * 1e3"));

        List<String> problems = new ArrayList<>();
        checkQuery("sample", "rate(orchestrator_retries_total[5m])", SERVICE_METRICS, problems);
        checkQuery("sample", "orchestrator_attempts_total{outcome=\"FAILURE\"}", SERVICE_METRICS, problems);
        checkQuery("sample", "frobnicate(orchestrator_circuit_open)", SERVICE_METRICS, problems);
        assertEquals(3, problems.size(), String.join("\n", problems));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checks shared by the Deployment and the Knative Service
    // ---------------------------------------------------------------------------------------------------------

    private static void checkPodSpec(String where, Map<String, Object> pod, List<String> problems) {
        List<Map<String, Object>> containers = containers(pod);
        if (containers.isEmpty()) {
            problems.add(where + ": no container");
            return;
        }
        Map<String, Object> podSecurity = map(pod.get("securityContext"));
        for (Map<String, Object> container : containers) {
            String at = where + ", container " + container.get("name");

            boolean servesHttp = list(container.get("ports")).stream()
                    .anyMatch(p -> Objects.equals(at(p, "containerPort"), HTTP_PORT));
            if (!servesHttp) {
                problems.add(at + ": no containerPort " + HTTP_PORT);
            }
            checkProbe(at, container, "startupProbe", "/q/health/started", problems);
            checkProbe(at, container, "livenessProbe", "/q/health/live", problems);
            checkProbe(at, container, "readinessProbe", "/q/health/ready", problems);

            for (String kind : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    Object value = at(container, "resources", kind, resource);
                    if (value == null || String.valueOf(value).isBlank()) {
                        problems.add(at + ": resources." + kind + "." + resource + " is not set");
                    }
                }
            }
            for (String resource : List.of("cpu", "memory")) {
                Object request = at(container, "resources", "requests", resource);
                Object limit = at(container, "resources", "limits", resource);
                if (request != null && limit != null && quantity(request) > quantity(limit)) {
                    problems.add(at + ": the " + resource + " request " + request + " exceeds its limit " + limit);
                }
            }

            Map<String, Object> security = map(container.get("securityContext"));
            Object runAsNonRoot = security.containsKey("runAsNonRoot") ? security.get("runAsNonRoot")
                    : podSecurity.get("runAsNonRoot");
            if (!Boolean.TRUE.equals(runAsNonRoot)) {
                problems.add(at + ": runAsNonRoot must be true");
            }
            Object runAsUser = security.containsKey("runAsUser") ? security.get("runAsUser") : podSecurity.get("runAsUser");
            if (runAsUser != null && (!(runAsUser instanceof Number n) || n.longValue() == 0)) {
                problems.add(at + ": runAsUser must be a non-root user id, is " + runAsUser);
            }
            if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                problems.add(at + ": readOnlyRootFilesystem must be true");
            }
            if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                problems.add(at + ": allowPrivilegeEscalation must be false");
            }
            if (Boolean.TRUE.equals(security.get("privileged"))) {
                problems.add(at + ": must not be privileged");
            }
            if (!list(at(security, "capabilities", "drop")).contains("ALL")) {
                problems.add(at + ": capabilities must drop ALL");
            }
            if (!list(at(security, "capabilities", "add")).isEmpty()) {
                problems.add(at + ": must not add capabilities");
            }
            Object seccomp = security.containsKey("seccompProfile") ? at(security, "seccompProfile", "type")
                    : at(podSecurity, "seccompProfile", "type");
            if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
                problems.add(at + ": seccompProfile must be RuntimeDefault, is " + seccomp);
            }
            checkWritableTmp(at, pod, container, problems);
        }
    }

    private static void checkProbe(String where, Map<String, Object> container, String probe, String path,
            List<String> problems) {
        Map<String, Object> httpGet = map(at(container, probe, "httpGet"));
        if (httpGet.isEmpty()) {
            problems.add(where + ": no " + probe + " with httpGet on " + path);
            return;
        }
        if (!path.equals(httpGet.get("path"))) {
            problems.add(where + ": " + probe + " must probe " + path + ", probes " + httpGet.get("path"));
        }
        Object port = httpGet.getOrDefault("port", HTTP_PORT);
        if (resolvePort(port, container) != HTTP_PORT) {
            problems.add(where + ": " + probe + " must probe port " + HTTP_PORT + ", probes " + port);
        }
    }

    /** A read-only root filesystem leaves the JVM and Vert.x only the writable /tmp an emptyDir gives them. */
    private static void checkWritableTmp(String where, Map<String, Object> pod, Map<String, Object> container,
            List<String> problems) {
        String volume = list(container.get("volumeMounts")).stream()
                .filter(m -> "/tmp".equals(at(m, "mountPath"))).map(m -> String.valueOf(at(m, "name")))
                .findFirst().orElse(null);
        boolean emptyDir = volume != null && list(pod.get("volumes")).stream()
                .anyMatch(v -> volume.equals(at(v, "name")) && map(v).containsKey("emptyDir"));
        if (!emptyDir) {
            problems.add(where + ": /tmp must be an emptyDir volume (the root filesystem is read-only)");
        }
    }

    private static void checkImagePinned(String where, Object image, List<String> problems) {
        String reference = String.valueOf(image);
        if (reference.contains("@sha256:")) {
            return;
        }
        String lastPart = reference.substring(reference.lastIndexOf('/') + 1);
        int colon = lastPart.indexOf(':');
        if (image == null || colon < 0) {
            problems.add(where + ": image " + image + " has no tag");
        } else if (lastPart.substring(colon + 1).equalsIgnoreCase("latest")) {
            problems.add(where + ": image " + image + " uses the tag latest");
        }
    }

    private static void checkEnvHasNoLiteralSecrets(String where, Map<String, Object> container, List<String> problems) {
        for (Object entry : list(container.get("env"))) {
            String name = String.valueOf(at(entry, "name"));
            if (!isSecretLike(name)) {
                continue;
            }
            if (map(entry).containsKey("value")) {
                problems.add(where + ": env " + name + " has a literal value; it must come from the Secret");
            } else if (at(entry, "valueFrom", "secretKeyRef") == null) {
                problems.add(where + ": env " + name + " must use valueFrom.secretKeyRef");
            }
        }
    }

    private static boolean isSecretLike(String name) {
        return SECRET_LIKE_NAME.matcher(name.toUpperCase(Locale.ROOT)).find();
    }

    // ---------------------------------------------------------------------------------------------------------
    // PromQL
    // ---------------------------------------------------------------------------------------------------------

    /** Reports metric names outside {@code allowed}, unknown functions and unknown enum label values; returns the names. */
    static Set<String> checkQuery(String where, String query, Set<String> allowed, List<String> problems) {
        Set<String> metrics = new LinkedHashSet<>();
        Matcher grafanaLabelValues = Pattern.compile("^\\s*label_values\\(\\s*([^,]+?)\\s*,\\s*\\w+\\s*\\)\\s*$")
                .matcher(query);
        String expression = grafanaLabelValues.matches() ? grafanaLabelValues.group(1) : query;

        Matcher functions = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*\\(").matcher(stripped(expression));
        while (functions.find()) {
            if (!PROMQL_WORDS.contains(functions.group(1).toLowerCase(Locale.ROOT))) {
                problems.add(where + ": unknown function " + functions.group(1) + " in: " + oneLine(query));
            }
        }
        for (String metric : metricNames(expression)) {
            metrics.add(metric);
            if (!allowed.contains(metric)) {
                problems.add(where + ": " + metric + " is not a metric of the service, in: " + oneLine(query));
            }
        }
        if (metrics.isEmpty()) {
            problems.add(where + ": no metric in: " + oneLine(query));
        }
        Matcher labels = Pattern.compile("\\b(outcome|status)\\s*(=|!=)\\s*\"([^\"]*)\"").matcher(expression);
        while (labels.find()) {
            if (!LABEL_VALUES.get(labels.group(1)).contains(labels.group(3))) {
                problems.add(where + ": " + labels.group(1) + " never takes the value " + labels.group(3) + ", in: "
                        + oneLine(query));
            }
        }
        return metrics;
    }

    /** The metric names a PromQL expression selects (identifiers that are neither keywords, functions nor labels). */
    static Set<String> metricNames(String expression) {
        Set<String> names = new LinkedHashSet<>();
        // Possessive, so that a function's name is skipped whole rather than matched without its last letter.
        Matcher identifiers = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*+(?!\\s*\\()").matcher(stripped(expression));
        while (identifiers.find()) {
            if (!PROMQL_WORDS.contains(identifiers.group().toLowerCase(Locale.ROOT))) {
                names.add(identifiers.group());
            }
        }
        return names;
    }

    /** The expression without strings, label matchers, ranges, grouping label lists, offsets and numbers. */
    private static String stripped(String expression) {
        return expression
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("(?i)\\boffset\\s+-?[0-9A-Za-z_$]+", " ")
                .replaceAll("(?<![A-Za-z0-9_:])\\d*\\.?\\d+(?:[eE][+-]?\\d+)?", " ");
    }

    private static void collectExpressions(JsonNode node, List<String> expressions) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if ("expr".equals(field.getKey()) && field.getValue().isTextual()) {
                    expressions.add(field.getValue().asText());
                } else {
                    collectExpressions(field.getValue(), expressions);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectExpressions(child, expressions));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rendering and reading
    // ---------------------------------------------------------------------------------------------------------

    private static List<Map<String, Object>> rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, KubernetesManifestsTest::kustomize);
    }

    private static List<Map<String, Object>> kustomize(String overlay) {
        Path directory = ROOT.resolve("deploy/kubernetes/overlays").resolve(overlay);
        assertTrue(Files.isDirectory(directory), "no overlay at " + ROOT.relativize(directory));
        String kubectl = kubectl();
        try {
            Path errors = Files.createTempFile("kustomize-" + overlay, ".err");
            try {
                Process process = new ProcessBuilder(kubectl, "kustomize", directory.toString())
                        .redirectInput(ProcessBuilder.Redirect.from(new File(isWindows() ? "NUL" : "/dev/null")))
                        .redirectError(errors.toFile())
                        .start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    fail("kubectl kustomize " + ROOT.relativize(directory) + " did not finish within 2 minutes");
                }
                if (process.exitValue() != 0) {
                    fail("kubectl kustomize " + ROOT.relativize(directory) + " failed (exit " + process.exitValue()
                            + "):\n" + Files.readString(errors));
                }
                List<Map<String, Object>> objects = yamlDocuments(output);
                assertFalse(objects.isEmpty(), "kubectl kustomize " + ROOT.relativize(directory) + " rendered nothing");
                return objects;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + kubectl + " kustomize: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + overlay, e);
        }
    }

    /** kubectl on the PATH: it renders Kustomize directories offline ({@code kubectl kustomize}). */
    private static String kubectl() {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String directory : path.split(Pattern.quote(File.pathSeparator))) {
            if (directory.isBlank()) {
                continue;
            }
            for (String name : isWindows() ? List.of("kubectl.exe", "kubectl") : List.of("kubectl")) {
                Path candidate = Path.of(directory, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return fail("kubectl was not found on the PATH. The manifest check renders the Kustomize overlays with"
                + " `kubectl kustomize`: install the Debian package kubectl (apt-get install kubectl), which brings"
                + " kustomize, and run the build again.");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yamlDocuments(String text) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml.loadAll(text)) {
            if (document == null) {
                continue;
            }
            assertTrue(document instanceof Map, "a YAML document is not an object: " + document);
            documents.add((Map<String, Object>) document);
        }
        return documents;
    }

    /** The project's root directory: the one holding deploy/, wherever the build runs the tests from. */
    private static Path projectRoot() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            if (Files.isDirectory(directory.resolve("deploy/kubernetes"))
                    && Files.isRegularFile(directory.resolve("pom.xml"))) {
                return directory;
            }
        }
        throw new AssertionError("deploy/kubernetes not found above " + Path.of("").toAbsolutePath());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Navigating parsed YAML and JSON
    // ---------------------------------------------------------------------------------------------------------

    private static Map<String, Object> single(List<Map<String, Object>> objects, String kind, String name) {
        List<Map<String, Object>> found = objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).toList();
        assertEquals(1, found.size(), "expected exactly one " + kind + " named " + name + ", rendered: "
                + objects.stream().map(o -> o.get("kind") + "/" + name(o)).toList());
        return found.get(0);
    }

    private static String name(Map<String, Object> object) {
        return String.valueOf(at(object, "metadata", "name"));
    }

    private static List<Map<String, Object>> podSpecs(Map<String, Object> object) {
        String kind = String.valueOf(object.get("kind"));
        Object pod = switch (kind) {
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" -> at(object, "spec", "template", "spec");
            case "CronJob" -> at(object, "spec", "jobTemplate", "spec", "template", "spec");
            case "Pod" -> object.get("spec");
            case "Service" -> String.valueOf(object.get("apiVersion")).startsWith("serving.knative.dev/")
                    ? at(object, "spec", "template", "spec")
                    : null;
            default -> null;
        };
        return pod == null ? List.of() : List.of(map(pod));
    }

    private static List<Map<String, Object>> containers(Map<String, Object> pod) {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (String key : List.of("containers", "initContainers")) {
            list(pod.get(key)).forEach(c -> containers.add(map(c)));
        }
        return containers;
    }

    /** The container port a Service targetPort or a probe port means: a number, or the name of a container port. */
    private static int resolvePort(Object port, Map<String, Object> container) {
        if (port instanceof Number number) {
            return number.intValue();
        }
        return list(container.get("ports")).stream()
                .filter(p -> Objects.equals(at(p, "name"), port))
                .map(p -> at(p, "containerPort"))
                .filter(Number.class::isInstance).map(n -> ((Number) n).intValue())
                .findFirst().orElse(-1);
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    }

    /** "PROTOCOL/port" for every port of NetworkPolicy rules (TCP when no protocol is given). */
    private static Set<String> ports(List<Object> rules) {
        Set<String> ports = new LinkedHashSet<>();
        for (Object rule : rules) {
            List<Object> rulePorts = list(at(rule, "ports"));
            if (rulePorts.isEmpty()) {
                ports.add("any");
            }
            for (Object port : rulePorts) {
                ports.add(Objects.requireNonNullElse(at(port, "protocol"), "TCP") + "/" + at(port, "port"));
            }
        }
        return ports;
    }

    /** A Kubernetes quantity (250m, 1, 512Mi, 1G) as a number of cores or bytes. */
    static double quantity(Object value) {
        Matcher m = Pattern.compile("^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$").matcher(String.valueOf(value).strip());
        if (!m.matches()) {
            throw new AssertionError("not a Kubernetes quantity: " + value);
        }
        double number = Double.parseDouble(m.group(1));
        String suffix = Objects.requireNonNullElse(m.group(2), "");
        return number * switch (suffix) {
            case "m" -> 1e-3;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "Ki" -> 1024d;
            case "Mi" -> 1024d * 1024;
            case "Gi" -> 1024d * 1024 * 1024;
            case "Ti" -> 1024d * 1024 * 1024 * 1024;
            default -> 1d;
        };
    }

    private static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static void assertNoProblems(Collection<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
