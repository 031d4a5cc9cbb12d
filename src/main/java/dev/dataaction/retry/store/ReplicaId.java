package dev.dataaction.retry.store;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Singleton;

/**
 * This process's name in the leases it takes: the host name (the pod's name on Kubernetes) and a random suffix, so that a
 * restarted pod with the same name never mistakes its predecessor's leases for its own.
 */
@Singleton
public class ReplicaId {

    private final String value = Optional.ofNullable(System.getenv("HOSTNAME")).filter(name -> !name.isBlank())
            .orElse("replica") + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    public String value() {
        return value;
    }
}
