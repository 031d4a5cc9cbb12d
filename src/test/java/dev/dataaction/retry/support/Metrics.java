package dev.dataaction.retry.support;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One scrape of {@code /q/metrics} in the Prometheus text format, read by series: the metric's name followed by its
 * labels exactly as printed, for example {@code orchestrator_attempts_total{outcome="SUCCESS"}}.
 */
public final class Metrics {

    private final Map<String, Double> samples;

    private Metrics(Map<String, Double> samples) {
        this.samples = samples;
    }

    /** Scrapes the endpoint as Prometheus does: without an API key. */
    public static Metrics scrape() {
        String text = Callers.withoutApiKey().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space).trim(), Double.parseDouble(line.substring(space + 1)));
        }
        return new Metrics(samples);
    }

    /** The value of a series, if it is exposed. */
    public OptionalDouble find(String series) {
        Double value = samples.get(series);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** The value of a series that must be exposed. */
    public double value(String series) {
        return find(series).orElseThrow(() -> new AssertionError(series + " is not exposed; exposed: " + samples.keySet()));
    }

    /** How much a series grew since an earlier scrape. */
    public double increaseSince(Metrics before, String series) {
        return value(series) - before.find(series).orElse(0);
    }
}
