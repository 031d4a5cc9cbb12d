package dev.dataaction.retry.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.dataaction.retry.store.Attempt;
import dev.dataaction.retry.store.AttemptOutcome;

/** A retry's attempts as a timeline: when each started, how long it took, how it ended, and the wait that followed. */
final class Timeline {

    /**
     * One attempt.
     *
     * @param followedBy the wait before the next attempt and why; empty for the last one
     */
    public record Step(int number, String startedAt, String duration, String httpStatus, String outcome, String followedBy) {
    }

    private Timeline() {
    }

    static List<Step> of(List<Attempt> attempts) {
        List<Step> steps = new ArrayList<>(attempts.size());
        for (int index = 0; index < attempts.size(); index++) {
            Attempt attempt = attempts.get(index);
            String wait = "";
            if (index + 1 < attempts.size()) {
                Instant ended = attempt.startedAt().plusMillis(attempt.durationMs());
                Duration waited = Duration.between(ended, attempts.get(index + 1).startedAt());
                wait = Pages.duration(waited.isNegative() ? Duration.ZERO : waited) + " " + why(attempt.outcome());
            }
            steps.add(new Step(attempt.number(), Pages.time(attempt.startedAt()),
                    Pages.duration(Duration.ofMillis(attempt.durationMs())),
                    attempt.httpStatus() == null ? "no answer" : attempt.httpStatus().toString(),
                    attempt.outcome().name(), wait));
        }
        return steps;
    }

    /** Why the pipeline waited after an attempt that ended this way. */
    static String why(AttemptOutcome outcome) {
        return switch (outcome) {
            case RATE_LIMITED -> "then, as Genesys rate-limited the call (its Retry-After, or the backoff)";
            case SERVER_ERROR -> "of backoff after a server error";
            case TIMEOUT -> "of backoff after no answer came in time";
            case NETWORK_ERROR -> "of backoff after a network error";
            case AUTH_REJECTED -> "before repeating it with a fresh token";
            case INTERRUPTED -> "until another instance took the retry over";
            case SUCCESS, CLIENT_ERROR -> "before the next attempt";
        };
    }
}
