package dev.vigil.provisioning.cli;

import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;

/**
 * Where the management endpoint is, the operator key to prove, the server key to pin, and how long to wait for
 * first contact (a server that answers nothing in that time is unreachable; a slow answer is waited for).
 */
public record ManagementEndpoint(URI server, KeyPair operatorKey, PublicKey serverKey, Duration contactTimeout) {

    public static final Duration DEFAULT_CONTACT_TIMEOUT = Duration.ofSeconds(2);

    public ManagementEndpoint(URI server, KeyPair operatorKey, PublicKey serverKey) {
        this(server, operatorKey, serverKey, DEFAULT_CONTACT_TIMEOUT);
    }
}
