package dev.vigil.server;

import java.security.PublicKey;

/** Decides at the DTLS handshake whether a raw public key may complete it. */
@FunctionalInterface
interface Admission {

    /** Null to admit the key; otherwise the reason it is refused (for logs and events, never the peer). */
    String refusal(String keyId, PublicKey key);
}
