package dev.vigil.server;

import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.scandium.DTLSConnector;

/**
 * A CoAP endpoint, the DTLS connector under it (kept to cut sessions on revocation) and its handshake
 * verifier (which counts full handshakes).
 */
record DtlsServerEndpoint(CoapEndpoint endpoint, DTLSConnector connector, KeyVerifier verifier,
        KeyResumptionVerifier resumptions) {
}
