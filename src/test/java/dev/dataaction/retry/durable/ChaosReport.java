package dev.dataaction.retry.durable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a chaos run ({@link ChaosIT}) observed, judged against the delivery promises of the PostgreSQL store: nothing lost,
 * an action executed twice only where an attempt was interrupted, and every attempt started within {@link #ON_SCHEDULE}
 * of its due time. Pure: it reads the stored retries, Genesys' request log, the audit trail's waits and the faults the run
 * caused, and returns figures and breaches.
 * <p>
 * <b>When an attempt is due.</b> The first: acceptance plus the first wait, as the audit trail ({@code RETRY_ACCEPTED
 * delayMs}) or the 202 states it. After an answered attempt (429, 503): its start plus its duration (the answer's
 * arrival) plus the wait the audit trail states ({@code RATE_LIMIT}/{@code SERVER_ERROR delayMs}, the Retry-After floor
 * and the jitter included). After an {@code INTERRUPTED} attempt, the repeat is due when the interruption could first be
 * known: the SIGKILL of the replica that held it on the wire, or the instant the database answered again when its outcome
 * could not be written during the outage. The lateness of an attempt is its start minus its due time; every clock is the
 * one machine's.
 */
final class ChaosReport {

    /** How late an attempt may start, a takeover after a crash included. */
    static final Duration ON_SCHEDULE = Duration.ofSeconds(20);
    /** The shortest first wait (base-delay 1 s, less the 10 % jitter): for a retry whose first wait is on no record. */
    static final Duration SHORTEST_FIRST_WAIT = Duration.ofMillis(900);

    /** One attempt as stored. */
    record Attempt(int number, Instant startedAt, long durationMs, String outcome) {

        Instant answeredAt() {
            return startedAt.plusMillis(durationMs);
        }

        boolean interrupted() {
            return "INTERRUPTED".equals(outcome);
        }
    }

    /** A retry as the database holds it at the end of the run. */
    record StoredRetry(String requestId, String actionId, String status, Instant acceptedAt, List<Attempt> attempts) {
    }

    /** A wait the audit trail states: after attempt {@code attempt} (0: before the first), logged at {@code loggedAt}. */
    record Wait(int attempt, Instant loggedAt, Duration delay) {
    }

    /** A retry the killed replica held: its status, when it was due (or its attempt started) and the attempt on the wire. */
    record Held(String status, Instant dueAt, Integer attemptNumber) {
    }

    /** A replica killed with SIGKILL at {@code at}; {@code held} maps request ids to what it held. */
    record Kill(String replica, Instant at, Map<String, Held> held, Duration backReady) {
    }

    /**
     * The database out of the replicas' reach from {@code down} until {@code up}; {@code readyAgain}: until every replica
     * reported readiness UP, {@code acceptingAgain}: until a retry was next accepted.
     */
    record Outage(String how, Instant down, Instant up, Duration readyAgain, Optional<Duration> acceptingAgain) {
    }

    /** The load, from {@code started} for {@code span}: what was submitted, and what the client had to send again. */
    record Load(Instant started, Duration span, int submitted, Set<String> accepted, Map<String, Integer> sentAgain) {
    }

    /** Why an interrupted attempt was interrupted. */
    private sealed interface Cause {
    }

    private record KilledWith(Kill kill) implements Cause {
    }

    private record LetGoDuring(Outage outage) implements Cause {
    }

    private record Unexplained() implements Cause {
    }

    /** An attempt, when it was due and why then. */
    private record Timed(String requestId, Attempt attempt, Instant due) {

        Duration lateness() {
            return Duration.between(due, attempt.startedAt());
        }
    }

    private final String setup;
    private final Load load;
    private final List<StoredRetry> retries;
    private final Map<String, StoredRetry> byId;
    private final Map<String, Integer> executions;
    private final Map<String, List<Wait>> waits;
    private final Map<String, Instant> firstDueAnswered;
    private final List<Kill> kills;
    private final Optional<Outage> outage;
    private final List<String> breaches = new ArrayList<>();
    private final List<Timed> timed = new ArrayList<>();
    private int waitsNotOnRecord;

    /**
     * @param executions execute calls Genesys received per {@code ININ-Correlation-Id} (the request id)
     * @param waits the waits of the audit trail per request id
     * @param firstDueAnswered the first attempt's due time, per request id, from the 202s the client received
     */
    ChaosReport(String setup, Load load, List<StoredRetry> retries, Map<String, Integer> executions,
            Map<String, List<Wait>> waits, Map<String, Instant> firstDueAnswered, List<Kill> kills,
            Optional<Outage> outage) {
        this.setup = setup;
        this.load = load;
        this.retries = retries;
        this.byId = retries.stream().collect(Collectors.toMap(StoredRetry::requestId, retry -> retry));
        this.executions = executions;
        this.waits = waits;
        this.firstDueAnswered = firstDueAnswered;
        this.kills = kills;
        this.outage = outage;
        retries.forEach(this::time);
    }

    /** Every promise the run saw broken, one line each; empty when it kept them all. */
    List<String> breaches() {
        List<String> all = new ArrayList<>();
        if (load.accepted().size() < load.submitted()) {
            all.add((load.submitted() - load.accepted().size()) + " submissions were never accepted");
        }
        for (String accepted : load.accepted()) {
            if (!byId.containsKey(accepted)) {
                all.add("retry " + accepted + " was accepted, but is not stored");
            }
        }
        retries.stream().collect(Collectors.groupingBy(StoredRetry::actionId, Collectors.counting()))
                .forEach((actionId, stored) -> {
                    if (stored > 1) {
                        all.add(stored + " retries stored for the one execution of " + actionId);
                    }
                });
        for (StoredRetry retry : retries) {
            if (!"SUCCEEDED".equals(retry.status())) {
                all.add("retry " + retry.requestId() + " (" + retry.actionId() + ") ended " + retry.status()
                        + " after " + retry.attempts());
            }
            checkExecutions(retry, all);
        }
        all.addAll(breaches);
        for (Timed late : timed) {
            if (late.lateness().compareTo(ON_SCHEDULE) > 0) {
                all.add("retry " + late.requestId() + ": attempt " + late.attempt().number() + " started "
                        + seconds(late.lateness()) + " after it was due at " + late.due());
            }
        }
        for (Kill kill : kills) {
            kill.held().forEach((requestId, held) -> {
                if (nextAttemptAfter(requestId, kill.at()).isEmpty()) {
                    all.add("retry " + requestId + ", held by replica " + kill.replica() + " when it was killed, was "
                            + "never attempted afterwards");
                }
            });
        }
        return all;
    }

    /** The figures, as Markdown tables, and the breaches. */
    String render() {
        StringBuilder out = new StringBuilder(4096).append(setup).append("\n\n");
        int answered = 0;
        int interrupted = 0;
        Map<String, Integer> interruptedBy = new HashMap<>();
        int duplicates = 0;
        Map<String, Integer> duplicatesBy = new HashMap<>();
        for (StoredRetry retry : retries) {
            int retryInterrupted = 0;
            List<String> causes = new ArrayList<>();
            for (Attempt attempt : retry.attempts()) {
                if (attempt.interrupted()) {
                    retryInterrupted++;
                    String cause = name(causeOf(retry.requestId(), attempt));
                    causes.add(cause);
                    interruptedBy.merge(cause, 1, Integer::sum);
                } else {
                    answered++;
                }
            }
            interrupted += retryInterrupted;
            int extra = executions.getOrDefault(retry.requestId(), 0) - (retry.attempts().size() - retryInterrupted);
            for (int i = 0; i < extra; i++) {
                duplicates++;
                duplicatesBy.merge(i < causes.size() ? causes.get(i) : "no interruption", 1, Integer::sum);
            }
        }
        long succeeded = retries.stream().filter(retry -> "SUCCEEDED".equals(retry.status())).count();
        int calls = executions.values().stream().mapToInt(Integer::intValue).sum();
        out.append("| Measure | Value |\n|---|---|\n");
        row(out, "Retries submitted / accepted", load.submitted() + " / " + load.accepted().size() + " in "
                + seconds(load.span()) + String.format(Locale.ROOT, " (%.1f per second)",
                        load.accepted().size() / Math.max(1.0, load.span().toMillis() / 1000.0)));
        row(out, "Submissions sent again", sentAgain());
        row(out, "Nothing lost", succeeded + " of " + retries.size() + " stored retries SUCCEEDED"
                + (retries.size() == load.accepted().size() ? ""
                        : "; " + retries.size() + " stored for " + load.accepted().size() + " accepted"));
        row(out, "Genesys execute calls", calls + ", for " + answered + " answered and " + interrupted
                + " interrupted attempts");
        row(out, "Interrupted attempts", interrupted + describe(interruptedBy));
        row(out, "Duplicate executions (a second call for one attempt)", duplicates + describe(duplicatesBy));
        row(out, "Lateness of all " + timed.size() + " attempts (start - due)", spread(timed));
        row(out, "Lateness of the attempts no fault touched", spread(timed.stream().filter(this::untouched).toList()));
        row(out, "Waits not in the audit trail (taken as 0, so lateness is overstated)",
                Integer.toString(waitsNotOnRecord));
        out.append(
                "\nt: seconds since the load started.\n\n| t (s) | Fault | Retries concerned | Attempted again after (max) | Max lateness | Back |\n")
                .append("|---|---|---|---|---|---|\n");
        Instant start = load.started();
        List<Object> faults = new ArrayList<>(kills);
        outage.ifPresent(faults::add);
        faults.sort(Comparator.comparing(fault -> fault instanceof Kill kill ? kill.at() : ((Outage) fault).down()));
        for (Object fault : faults) {
            if (fault instanceof Kill kill) {
                killRow(out, start, kill);
            } else {
                outageRow(out, start, (Outage) fault);
            }
        }
        List<String> broken = breaches();
        out.append("\nBreaches: ").append(broken.isEmpty() ? "none" : broken.size()).append('\n');
        broken.forEach(breach -> out.append("- ").append(breach).append('\n'));
        return out.toString();
    }

    private void killRow(StringBuilder out, Instant start, Kill kill) {
        long onTheWire = kill.held().values().stream().filter(held -> "IN_FLIGHT".equals(held.status())).count();
        Duration after = Duration.ZERO;
        Duration latest = Duration.ZERO;
        for (String requestId : kill.held().keySet()) {
            Optional<Timed> next = nextAttemptAfter(requestId, kill.at());
            if (next.isPresent()) {
                after = max(after, Duration.between(kill.at(), next.get().attempt().startedAt()));
                latest = max(latest, next.get().lateness());
            }
        }
        out.append(String.format(Locale.ROOT, "| %.1f | SIGKILL replica %s | %d held (%d waiting, %d on the wire) | %s | %s"
                + " | restarted, ready after %s |%n", Duration.between(start, kill.at()).toMillis() / 1000.0,
                kill.replica(), kill.held().size(), kill.held().size() - onTheWire, onTheWire,
                kill.held().isEmpty() ? "-" : seconds(after), kill.held().isEmpty() ? "-" : seconds(latest),
                seconds(kill.backReady())));
    }

    private void outageRow(StringBuilder out, Instant start, Outage down) {
        List<Timed> touched = timed.stream().filter(byOutage(down)).toList();
        long letGo = retries.stream().flatMap(retry -> retry.attempts().stream()
                .filter(attempt -> attempt.interrupted() && causeOf(retry.requestId(), attempt) instanceof LetGoDuring))
                .count();
        Duration after = touched.stream().map(late -> Duration.between(down.up(), late.attempt().startedAt()))
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        Duration latest = touched.stream().map(Timed::lateness).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        out.append(String.format(Locale.ROOT, "| %.1f | %s for %s | %d attempts due meanwhile, %d let go on the wire "
                + "| %s after it answered | %s | every replica ready %s after it answered; next retry accepted %s after |%n",
                Duration.between(start, down.down()).toMillis() / 1000.0, down.how(),
                seconds(Duration.between(down.down(), down.up())), touched.size() - letGo, letGo, seconds(after),
                seconds(latest), seconds(down.readyAgain()), down.acceptingAgain().map(ChaosReport::seconds).orElse("-")));
    }

    private void time(StoredRetry retry) {
        List<Attempt> attempts = retry.attempts();
        for (int i = 0; i < attempts.size(); i++) {
            Attempt attempt = attempts.get(i);
            Instant due;
            if (i == 0) {
                due = firstDue(retry);
            } else {
                Attempt previous = attempts.get(i - 1);
                due = switch (previous.outcome()) {
                    case "INTERRUPTED" -> switch (causeOf(retry.requestId(), previous)) {
                        case KilledWith killed -> later(previous.startedAt(), killed.kill().at());
                        case LetGoDuring during -> later(previous.startedAt(), during.outage().up());
                        case Unexplained unexplained -> {
                            breaches.add("retry " + retry.requestId() + ": attempt " + previous.number() + " was "
                                    + "interrupted, but no kill or outage explains it");
                            yield previous.startedAt();
                        }
                    };
                    case "RATE_LIMITED", "SERVER_ERROR", "TIMEOUT", "NETWORK_ERROR" -> previous.answeredAt()
                            .plus(waitAfter(retry.requestId(), previous));
                    default -> {
                        breaches.add("retry " + retry.requestId() + ": attempt " + attempt.number() + " followed an "
                                + "attempt that ended " + previous.outcome());
                        yield previous.answeredAt();
                    }
                };
            }
            timed.add(new Timed(retry.requestId(), attempt, due));
        }
    }

    private Instant firstDue(StoredRetry retry) {
        Optional<Wait> logged = waits.getOrDefault(retry.requestId(), List.of()).stream()
                .filter(wait -> wait.attempt() == 0).findFirst();
        if (logged.isPresent()) {
            return retry.acceptedAt().plus(logged.get().delay());
        }
        Instant answered = firstDueAnswered.get(retry.requestId());
        if (answered != null) {
            return answered;
        }
        waitsNotOnRecord++;
        return retry.acceptedAt().plus(SHORTEST_FIRST_WAIT);
    }

    /**
     * The wait the audit trail states after an answered attempt. The same attempt may have been answered twice (once to a
     * replica that could not write the outcome): the wait logged nearest to this answer is the one.
     */
    private Duration waitAfter(String requestId, Attempt answered) {
        return waits.getOrDefault(requestId, List.of()).stream().filter(wait -> wait.attempt() == answered.number())
                .min(Comparator.comparing(wait -> Duration.between(answered.answeredAt(), wait.loggedAt()).abs()))
                .map(Wait::delay).orElseGet(() -> {
                    waitsNotOnRecord++;
                    return Duration.ZERO;
                });
    }

    /**
     * A kill explains an interrupted attempt when the killed replica held the retry on the wire with that attempt; the
     * outage explains one that started before the database answered again (its outcome could not be written).
     */
    private Cause causeOf(String requestId, Attempt interrupted) {
        Optional<Kill> killed = kills.stream().filter(kill -> !kill.at().isBefore(interrupted.startedAt()))
                .filter(kill -> {
                    Held held = kill.held().get(requestId);
                    return held != null && "IN_FLIGHT".equals(held.status())
                            && Integer.valueOf(interrupted.number()).equals(held.attemptNumber());
                }).min(Comparator.comparing(Kill::at));
        if (killed.isPresent()) {
            return new KilledWith(killed.get());
        }
        if (outage.isPresent() && interrupted.startedAt().isBefore(outage.get().up())) {
            return new LetGoDuring(outage.get());
        }
        return new Unexplained();
    }

    private static String name(Cause cause) {
        return switch (cause) {
            case KilledWith killed -> "SIGKILL";
            case LetGoDuring during -> "database outage";
            case Unexplained unexplained -> "unexplained";
        };
    }

    /** Genesys received at least one call per answered attempt, and at most one more per interrupted attempt. */
    private void checkExecutions(StoredRetry retry, List<String> all) {
        long interrupted = retry.attempts().stream().filter(Attempt::interrupted).count();
        long answered = retry.attempts().size() - interrupted;
        int calls = executions.getOrDefault(retry.requestId(), 0);
        if (calls < answered) {
            all.add("retry " + retry.requestId() + ": " + answered + " answered attempts on record, but Genesys received "
                    + calls + " calls");
        } else if (calls > answered + interrupted) {
            all.add("retry " + retry.requestId() + ": Genesys received " + calls + " calls for " + answered
                    + " answered and " + interrupted + " interrupted attempts " + retry.attempts()
                    + ": an execution repeated without an interruption");
        }
    }

    private Optional<Timed> nextAttemptAfter(String requestId, Instant at) {
        return timed.stream().filter(late -> late.requestId().equals(requestId) && late.attempt().startedAt().isAfter(at))
                .min(Comparator.comparing(late -> late.attempt().startedAt()));
    }

    /** Neither the first attempt after a kill of a retry the killed replica held, nor due during the outage. */
    private boolean untouched(Timed late) {
        for (Kill kill : kills) {
            if (kill.held().containsKey(late.requestId())
                    && nextAttemptAfter(late.requestId(), kill.at()).filter(late::equals).isPresent()) {
                return false;
            }
        }
        return outage.map(down -> !byOutage(down).test(late)).orElse(true);
    }

    /** Due while the database was out of reach, or the repeat of an attempt whose outcome could not be written then. */
    private Predicate<Timed> byOutage(Outage down) {
        return late -> !late.due().isBefore(down.down()) && !late.due().isAfter(down.up());
    }

    private String sentAgain() {
        int total = load.sentAgain().values().stream().mapToInt(Integer::intValue).sum();
        return total + describe(load.sentAgain());
    }

    private static String describe(Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return "";
        }
        return counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(count -> count.getValue() + " " + count.getKey()).collect(Collectors.joining(", ", " (", ")"));
    }

    private static String spread(List<Timed> attempts) {
        if (attempts.isEmpty()) {
            return "-";
        }
        List<Duration> sorted = attempts.stream().map(Timed::lateness).sorted().toList();
        long over = sorted.stream().filter(lateness -> lateness.compareTo(ON_SCHEDULE) > 0).count();
        return "min " + seconds(sorted.getFirst()) + ", median " + seconds(percentile(sorted, 0.5)) + ", p99 "
                + seconds(percentile(sorted, 0.99)) + ", max " + seconds(sorted.getLast()) + "; " + over + " over "
                + ON_SCHEDULE.toSeconds() + " s (" + sorted.size() + " attempts)";
    }

    /** The nearest-rank percentile. */
    static Duration percentile(List<Duration> sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static void row(StringBuilder out, String measure, String value) {
        out.append("| ").append(measure).append(" | ").append(value).append(" |\n");
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.2f s", duration.toNanos() / 1e9);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
