package dev.vigil.server;

import java.net.InetSocketAddress;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.AddressEndpointContext;

/**
 * Asks whether a DTLS session is still alive at its peer: a CoAP ping (an empty CON, RFC 7252 §4.3) sent
 * over it, which a live peer answers with a Reset within a round trip; a peer that lost its session (a
 * rebooted device) cannot answer over it. Used when a key completes a new handshake from another address
 * while its older session still stands: an answer means the key is live in two places at once.
 */
final class SessionProbe {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionProbe.class);

    private final Endpoint endpoint;

    SessionProbe(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** Pings the session at {@code address}; runs {@code alive} if it answers. */
    void ping(InetSocketAddress address, Runnable alive) {
        Request ping = Request.newPing();
        ping.setToken(Token.EMPTY); // an empty message carries no token (RFC 7252 §4.1)
        ping.setDestinationContext(new AddressEndpointContext(address));
        ping.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onReject() {
                LOG.debug("probe: the session at {} answered", address);
                alive.run();
            }

            @Override
            public void onTimeout() {
                LOG.debug("probe: no answer from the session at {}", address);
            }

            @Override
            protected void failed() {
                LOG.debug("probe of the session at {} failed: {}", address, String.valueOf(ping.getSendError()));
            }
        });
        LOG.debug("probe: pinging the older session at {}", address);
        endpoint.sendRequest(ping);
    }
}
