package dev.vigil.provisioning.cli;

import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;

/** Where the management endpoint is, the operator key to prove, and the server key to pin. */
public record ManagementEndpoint(URI server, KeyPair operatorKey, PublicKey serverKey) {
}
