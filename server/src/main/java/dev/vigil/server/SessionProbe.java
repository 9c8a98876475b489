package dev.vigil.server;

import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.AddressEndpointContext;

/**
 * Asks whether a DTLS session is still alive at its peer: a CoAP ping (an empty CON, RFC 7252 §4.3) sent
 * over it, which a live peer answers with a Reset within a round trip; a peer that lost its session (a
 * rebooted device) cannot answer over it. Used when a key completes a new handshake from another address
 * while its older session still stands: an answer means the key is live in two places at once.
 */
final class SessionProbe {

    private final Endpoint endpoint;

    SessionProbe(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Pings the session at {@code address}; runs {@code alive} if it answers. */
    void ping(InetSocketAddress address, Runnable alive) {
        Request ping = Request.newPing();
        ping.setDestinationContext(new AddressEndpointContext(address));
        ping.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onReject() {
                alive.run();
            }
        });
        endpoint.sendRequest(ping);
    }
}
