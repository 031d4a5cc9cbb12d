package dev.dataaction.retry.ingest;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI description of the retry API, served at {@code /q/openapi}. */
@OpenAPIDefinition(info = @Info(title = "Genesys Retry Orchestrator", version = "1", description = """
        Takes failed Genesys Cloud Data Action executions and re-executes them with exponential backoff and jitter, \
        a circuit breaker per action and a bounded queue. Errors are RFC 9457 problem details."""), security = @SecurityRequirement(name = ApiDefinition.API_KEY))
@SecurityScheme(securitySchemeName = ApiDefinition.API_KEY, type = SecuritySchemeType.APIKEY, in = SecuritySchemeIn.HEADER, apiKeyName = ApiKeyFilter.HEADER)
public class ApiDefinition extends Application {

    static final String API_KEY = "apiKey";
}
