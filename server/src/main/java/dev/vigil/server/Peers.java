package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceDirectory;
import dev.vigil.provisioning.devices.DeviceIdentity;
import java.security.Principal;
import java.util.Optional;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;

/** Who sent a request: the key id of the DTLS peer, never its address. */
final class Peers {

    private Peers() {
    }

    /** The RFC 6920 key id of the request's raw public key, if it came over DTLS with one. */
    static Optional<String> keyId(Exchange exchange) {
        Principal peer = exchange.getRequest().getSourceContext().getPeerIdentity();
        return peer instanceof RawPublicKeyIdentity ? Optional.of(peer.getName()) : Optional.empty();
    }

    /** The trusted device behind a request, re-checked against the (cached) registry. */
    static Optional<DeviceIdentity> trustedDevice(Exchange exchange, DeviceDirectory directory) {
        return keyId(exchange).flatMap(directory::findByKeyId).filter(DeviceIdentity::isTrusted);
    }
}
