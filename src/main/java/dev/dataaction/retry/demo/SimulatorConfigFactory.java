package dev.dataaction.retry.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * Points dev mode at the simulated Genesys Cloud when no Genesys credentials are configured: picks a free port for
 * {@link GenesysSimulator} and derives the Genesys URLs and demo credentials from it. Outside dev mode, or with
 * {@code genesys.client-id} set, it does nothing. The values are set as system properties, so that every configuration
 * the dev-mode JVM builds (build steps, the application, live reloads) sees the same port.
 */
public class SimulatorConfigFactory implements ConfigSourceFactory {

    static final String PORT_KEY = "genesys-simulator.port";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev") || isSet(context.getValue("genesys.client-id"))) {
            return List.of();
        }
        if (System.getProperty(PORT_KEY) == null) {
            String url = "http://localhost:" + freePort();
            System.setProperty("genesys.api-url", url);
            System.setProperty("genesys.login-url", url);
            System.setProperty("genesys.client-id", GenesysSimulator.CLIENT_ID);
            System.setProperty("genesys.client-secret", GenesysSimulator.CLIENT_SECRET);
            System.setProperty(PORT_KEY, url.substring(url.lastIndexOf(':') + 1));
        }
        return List.of();
    }

    private static boolean isSet(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException unavailable) {
            throw new UncheckedIOException("No free port for the Genesys simulator", unavailable);
        }
    }
}
