package dev.dataaction.retry.console;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.dataaction.retry.config.OrchestratorConfig;

/**
 * The door of the console: every page but the sign-in needs a session, and every answer tells the browser to keep it to
 * itself (no caching, no framing, scripts and styles from the service only). {@code /console} answers 404 when
 * {@code orchestrator.console.enabled} is off.
 */
class ConsoleGate {

    static final String ROOT = "/console";
    static final String SIGN_IN = ROOT + "/sign-in";
    /** Sent by htmx with the requests it makes; a page part cannot redirect the page, htmx can. */
    private static final String HTMX_REQUEST = "HX-Request";
    private static final String POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final boolean enabled;
    private final ConsoleSessions sessions;
    private final ConsoleUser user;

    ConsoleGate(OrchestratorConfig config, ConsoleSessions sessions, ConsoleUser user) {
        this.enabled = config.console().enabled();
        this.sessions = sessions;
        this.user = user;
    }

    static boolean isConsole(String path) {
        return path.equals(ROOT) || path.startsWith(ROOT + "/");
    }

    @ServerRequestFilter
    public Response admit(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!isConsole(path)) {
            return null;
        }
        if (!enabled) {
            return Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_PLAIN_TYPE)
                    .entity("The console is turned off (orchestrator.console.enabled).").build();
        }
        if (path.equals(SIGN_IN)) {
            return null;
        }
        Cookie cookie = request.getCookies().get(ConsoleSessions.COOKIE);
        Optional<ConsoleSessions.Session> session = sessions.read(cookie == null ? null : cookie.getValue(),
                Instant.now());
        if (session.isPresent()) {
            user.is(session.get());
            return null;
        }
        URI signIn = request.getUriInfo().getBaseUriBuilder().path(SIGN_IN).build();
        if (request.getHeaderString(HTMX_REQUEST) != null) {
            return Response.status(Response.Status.UNAUTHORIZED).header("HX-Redirect", signIn.getPath()).build();
        }
        return Response.seeOther(signIn).build();
    }

    @ServerResponseFilter
    public void keepPrivate(ContainerRequestContext request, ContainerResponseContext response) {
        if (!isConsole(request.getUriInfo().getPath())) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Cache-Control", "no-store");
        headers.putSingle("Content-Security-Policy", POLICY);
        headers.putSingle("X-Content-Type-Options", "nosniff");
        headers.putSingle("Referrer-Policy", "no-referrer");
    }
}
