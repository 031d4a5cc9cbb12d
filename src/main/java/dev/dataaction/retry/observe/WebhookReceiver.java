package dev.dataaction.retry.observe;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

/** The operator's webhook receiver; its URL comes from configuration, so the client is built at start-up. */
interface WebhookReceiver {

    String SIGNATURE_HEADER = "X-Orchestrator-Signature";
    String TIMESTAMP_HEADER = "X-Orchestrator-Timestamp";

    /**
     * Posts one event; the body is sent byte for byte as signed, and the signature covers the timestamp too. A
     * {@code null} signature sends no header.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> deliver(@HeaderParam(SIGNATURE_HEADER) String signature, @HeaderParam(TIMESTAMP_HEADER) String timestamp,
            String body);
}
