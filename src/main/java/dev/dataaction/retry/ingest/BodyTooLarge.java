package dev.dataaction.retry.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A body larger than {@code quarkus.http.limits.max-body-size} is refused by the HTTP layer before any resource sees it,
 * with an empty 413. This route runs just before that check and gives the 413 the same problem body as every other error
 * of the API. A body that announces its length is refused at once; a chunked one is read here, up to the limit, and
 * refused when it goes over. Either way the connection is closed as the HTTP layer would, since the rest of the body is
 * not read.
 */
@ApplicationScoped
class BodyTooLarge {

    /** Just before the HTTP layer's own upload limit (order -2). */
    private static final int BEFORE_UPLOAD_LIMIT = -3;

    void answerWithAProblem(@Observes Router router, ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit)
            throws JsonProcessingException {
        String problem = json.writeValueAsString(Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                "The request body is larger than " + limit.asLongValue() + " bytes (quarkus.http.limits.max-body-size)."));
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(limit.asLongValue());
        router.route().order(BEFORE_UPLOAD_LIMIT).handler(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && isOver(length, limit.asLongValue())) {
                refuse(context, problem);
            } else if (length == null && context.request().headers().contains("Transfer-Encoding", "chunked", true)) {
                chunked.handle(context);
            } else {
                context.next();
            }
        }).failureHandler(context -> {
            if (context.statusCode() == 413 && !context.response().ended()) {
                refuse(context, problem);
            } else {
                context.next();
            }
        });
    }

    private static void refuse(RoutingContext context, String problem) {
        context.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close")
                .endHandler(ended -> context.request().connection().close())
                .end(problem);
    }

    private static boolean isOver(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.trim()) > limit;
        } catch (NumberFormatException malformed) {
            return false;
        }
    }
}
