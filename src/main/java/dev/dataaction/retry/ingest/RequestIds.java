package dev.dataaction.retry.ingest;

import java.util.UUID;

/** The requestId of a path, and the 404 of a retry that is not there. */
final class RequestIds {

    private RequestIds() {
    }

    /**
     * The path's requestId; one that is not a UUID names no retry: 404. The detail never repeats what was sent, which
     * may be long or carry markup or control characters into a client's page or log.
     */
    static UUID parse(String requestId) {
        try {
            return UUID.fromString(requestId);
        } catch (IllegalArgumentException notAUuid) {
            throw new ProblemException(
                    Problem.of(ProblemType.NOT_FOUND, "No retry with this requestId; a requestId is a UUID."));
        }
    }

    /** Names the retry by its parsed UUID, in its one canonical form, never by the text of the path. */
    static ProblemException notFound(UUID requestId) {
        return new ProblemException(Problem.of(ProblemType.NOT_FOUND, "No retry with requestId " + requestId + "."));
    }
}
