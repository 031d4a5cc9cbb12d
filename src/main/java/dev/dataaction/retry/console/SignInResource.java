package dev.dataaction.retry.console;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.RestCookie;
import org.jboss.resteasy.reactive.RestForm;

import dev.dataaction.retry.ingest.ApiKeyRefusals;
import dev.dataaction.retry.ingest.ApiKeys;
import dev.dataaction.retry.observe.AuditEvent;
import dev.dataaction.retry.observe.AuditLog;

/**
 * Signing in to the console with an API key, posted in a form (never in a URL), and signing out. A refused key gets the
 * same answer whatever was wrong with it.
 */
@Path(ConsoleGate.ROOT)
@Produces(MediaType.TEXT_HTML)
public class SignInResource {

    static final String REFUSED = "That key was not accepted.";

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final ConsoleUser user;
    private final ApiKeyRefusals refusals;
    private final AuditLog audit;

    SignInResource(ApiKeys keys, ConsoleSessions sessions, ConsoleUser user, ApiKeyRefusals refusals, AuditLog audit) {
        this.keys = keys;
        this.sessions = sessions;
        this.user = user;
        this.refusals = refusals;
        this.audit = audit;
    }

    @GET
    @Path("/sign-in")
    public Response form(@RestCookie(ConsoleSessions.COOKIE) String cookie, UriInfo uri) {
        if (sessions.read(cookie, Instant.now()).isPresent()) {
            return Response.seeOther(home(uri)).build();
        }
        if (!keys.required()) {
            // without access control there is nothing to ask: the console opens as it does for the API
            return signedIn(keys.holder(null).orElseThrow(), uri);
        }
        return Response.ok(Templates.signIn(null)).build();
    }

    @POST
    @Path("/sign-in")
    public Response signIn(@RestForm String key, UriInfo uri) {
        Optional<ApiKeys.Holder> holder = keys.holder(key == null ? null : key.strip());
        if (holder.isEmpty()) {
            refusals.refused(key == null || key.isBlank() ? ApiKeyRefusals.Reason.MISSING
                    : ApiKeyRefusals.Reason.UNKNOWN, "POST", "ConsoleSignIn");
            return Response.status(Response.Status.UNAUTHORIZED).entity(Templates.signIn(REFUSED)).build();
        }
        return signedIn(holder.get(), uri);
    }

    @POST
    @Path("/sign-out")
    public Response signOut(@RestForm String csrf, UriInfo uri) {
        String label = user.checkForm(csrf);
        audit.write(AuditEvent.CONSOLE_SIGNED_OUT, Map.of("by", label));
        return Response.seeOther(uri.getBaseUriBuilder().path(ConsoleGate.SIGN_IN).build())
                .cookie(cookie(uri, "", 0)).build();
    }

    private Response signedIn(ApiKeys.Holder holder, UriInfo uri) {
        audit.write(AuditEvent.CONSOLE_SIGNED_IN, Map.of("by", holder.label(), "role", holder.role().name()));
        String session = sessions.open(holder, Instant.now());
        return Response.seeOther(home(uri)).cookie(cookie(uri, session, (int) sessions.timeout().toSeconds())).build();
    }

    private static URI home(UriInfo uri) {
        return uri.getBaseUriBuilder().path(ConsoleGate.ROOT).build();
    }

    /** HttpOnly, SameSite=Strict, for the console's paths only; Secure when the browser came over TLS. */
    private static NewCookie cookie(UriInfo uri, String value, int maxAge) {
        return new NewCookie.Builder(ConsoleSessions.COOKIE).value(value).path(ConsoleGate.ROOT).maxAge(maxAge)
                .httpOnly(true).secure("https".equalsIgnoreCase(uri.getBaseUri().getScheme()))
                .sameSite(NewCookie.SameSite.STRICT).build();
    }
}
