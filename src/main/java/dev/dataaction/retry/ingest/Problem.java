package dev.dataaction.retry.ingest;

import java.time.Duration;
import java.util.List;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}.
 *
 * @param errors every invalid field, for {@code invalid-request}
 * @param limit the limit that was reached, for {@code queue-full}
 */
@RegisterForReflection // a Response entity and written by BodyTooLarge: no resource method declares it
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors, Integer limit) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field: a JSON path such as {@code actionId} or {@code [3].requestPayload}, and what is wrong. */
    @RegisterForReflection
    public record FieldError(String field, String message) {
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type.uri(), type.title(), type.status(), detail, null, null);
    }

    public static Problem invalid(String detail, List<FieldError> errors) {
        return new Problem(ProblemType.INVALID_REQUEST.uri(), ProblemType.INVALID_REQUEST.title(), 400, detail,
                List.copyOf(errors), null);
    }

    /**
     * The store did not answer (503): in time ({@code late}, so that what was asked may yet be done, as
     * {@code lateDetail} says), or at all (nothing was done).
     */
    public static Problem storeUnavailable(boolean late, String lateDetail, Duration retryAfter) {
        return of(ProblemType.STORE_UNAVAILABLE,
                (late ? "The retry store did not answer in time; " + lateDetail
                        : "The retry store cannot be reached; nothing was changed.")
                        + " Try again in " + retryAfter.toSeconds() + " s.");
    }

    public Response.ResponseBuilder toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this);
    }
}
