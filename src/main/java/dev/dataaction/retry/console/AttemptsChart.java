package dev.dataaction.retry.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import dev.dataaction.retry.store.AttemptCount;
import dev.dataaction.retry.store.AttemptOutcome;

/**
 * The overview's chart of attempts per minute over the last hour, stacked by how they ended, laid out for an inline SVG
 * drawn on the server: a plain function of the counts and the time.
 *
 * @param columns one per minute, oldest first
 * @param peak the most attempts of any minute, which the full height stands for
 * @param total the attempts of the hour
 */
public record AttemptsChart(List<Column> columns, long peak, long total) {

    static final int MINUTES = 60;
    /** The plot's height in SVG units; the columns are {@value #STEP} units apart. */
    public static final int HEIGHT = 120;
    public static final int WIDTH = MINUTES * AttemptsChart.STEP;
    static final int STEP = 10;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** How an attempt ended, as the chart colours it. */
    public enum Kind {
        SUCCEEDED("succeeded"),
        RATE_LIMITED("rate limited"),
        TRANSIENT("failed, will retry"),
        FINAL("failed otherwise");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }

        public String css() {
            return name().toLowerCase().replace('_', '-');
        }

        static Kind of(AttemptOutcome outcome) {
            return switch (outcome) {
                case SUCCESS -> SUCCEEDED;
                case RATE_LIMITED -> RATE_LIMITED;
                case SERVER_ERROR, TIMEOUT, NETWORK_ERROR -> TRANSIENT;
                case CLIENT_ERROR, AUTH_REJECTED, INTERRUPTED -> FINAL;
            };
        }
    }

    /** One stacked bar's part. */
    public record Segment(Kind kind, int y, int height) {
    }

    /** One minute: where its bar stands, its parts, and what a pointer over it reads. */
    public record Column(int x, List<Segment> segments, String title) {

        /** Where the bar stands within its column, a unit in from either side. */
        public int barX() {
            return x + 1;
        }
    }

    public List<Kind> kinds() {
        return List.of(Kind.values());
    }

    public String firstMinute() {
        return columns.isEmpty() ? "" : columns.getFirst().title().substring(0, 5);
    }

    public int width() {
        return WIDTH;
    }

    public int height() {
        return HEIGHT;
    }

    static AttemptsChart of(List<AttemptCount> counts, Instant now) {
        Instant last = now.truncatedTo(ChronoUnit.MINUTES);
        Instant first = last.minus(MINUTES - 1, ChronoUnit.MINUTES);
        List<Map<Kind, Long>> perMinute = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            perMinute.add(new EnumMap<>(Kind.class));
        }
        for (AttemptCount count : counts) {
            long index = ChronoUnit.MINUTES.between(first, count.minute().truncatedTo(ChronoUnit.MINUTES));
            if (index >= 0 && index < MINUTES) {
                perMinute.get((int) index).merge(Kind.of(count.outcome()), count.count(), Long::sum);
            }
        }
        long peak = perMinute.stream().mapToLong(AttemptsChart::sum).max().orElse(0);
        long total = perMinute.stream().mapToLong(AttemptsChart::sum).sum();
        List<Column> columns = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            Map<Kind, Long> kinds = perMinute.get(minute);
            List<Segment> segments = new ArrayList<>();
            int top = HEIGHT;
            StringJoiner title = new StringJoiner(", ",
                    CLOCK.format(first.plus(minute, ChronoUnit.MINUTES)) + ": ", "");
            title.setEmptyValue(CLOCK.format(first.plus(minute, ChronoUnit.MINUTES)) + ": no attempts");
            for (Kind kind : Kind.values()) {
                long count = kinds.getOrDefault(kind, 0L);
                if (count > 0) {
                    int height = Math.max(1, (int) Math.round((double) count * HEIGHT / peak));
                    top -= height;
                    segments.add(new Segment(kind, Math.max(0, top), height));
                    title.add(count + " " + kind.words());
                }
            }
            columns.add(new Column(minute * STEP, segments, title.toString()));
        }
        return new AttemptsChart(columns, peak, total);
    }

    private static long sum(Map<Kind, Long> kinds) {
        return kinds.values().stream().mapToLong(Long::longValue).sum();
    }
}
