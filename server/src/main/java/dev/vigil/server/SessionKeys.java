package dev.vigil.server;

import java.net.InetSocketAddress;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSContext;

/**
 * The numbers the trust engine tells connections and addresses apart by, the same whether read from a
 * request's endpoint context or from the connection itself: a connection is its DTLS session id and the
 * time of the handshake that made it (a resumption is a new connection with the same session id), an
 * address its IP and port. Never 0, which the engine reserves for "none".
 */
final class SessionKeys {

    private SessionKeys() {
    }

    static long connection(EndpointContext context) {
        Long handshake = context.get(DtlsEndpointContext.KEY_HANDSHAKE_TIMESTAMP);
        return connection(context.get(DtlsEndpointContext.KEY_SESSION_ID), handshake == null ? 0 : handshake);
    }

    /** Of an established connection; 0 if it has no established context. */
    static long connection(Connection connection) {
        DTLSContext context = connection.getEstablishedDtlsContext();
        return context == null ? 0
                : connection(context.getSession().getSessionIdentifier(), context.getLastHandshakeTime());
    }

    static long address(InetSocketAddress address) {
        long key = address == null ? 0 : address.hashCode();
        return key == 0 ? 1 : key;
    }

    private static long connection(Bytes sessionId, long handshakeTime) {
        long key = (sessionId == null ? 0 : sessionId.hashCode()) * 0x9E3779B97F4A7C15L ^ handshakeTime;
        return key == 0 ? 1 : key;
    }
}
