package dev.vigil.server;

import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.scandium.DTLSConnector;

/** A CoAP endpoint and the DTLS connector under it (kept to cut sessions on revocation). */
record DtlsServerEndpoint(CoapEndpoint endpoint, DTLSConnector connector) {
}
