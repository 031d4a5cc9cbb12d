package dev.dataaction.retry.console;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Answers a refused console request with a page that says why, in the status that fits. */
class ConsoleRefusals {

    @ServerExceptionMapper
    public Response refused(ConsoleRefusal refusal) {
        String id = refusal.status() == 404 ? "not-found" : "refused";
        String title = switch (refusal.status()) {
            case 400 -> "That request is not valid";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            default -> "Not available right now";
        };
        return Response.status(refusal.status()).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.refused(id, title, refusal.getMessage()).render()).build();
    }
}
