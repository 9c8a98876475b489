package dev.vigil.server;

import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.ConnectionIdGenerator;

/**
 * A CoAP endpoint, the DTLS connector under it (kept to cut sessions on revocation), its handshake
 * verifier (which counts full handshakes) and how its Connection IDs are made ({@code null}: none).
 */
record DtlsServerEndpoint(CoapEndpoint endpoint, DTLSConnector connector, KeyVerifier verifier,
        KeyResumptionVerifier resumptions, ConnectionIdGenerator connectionIds) {
}
