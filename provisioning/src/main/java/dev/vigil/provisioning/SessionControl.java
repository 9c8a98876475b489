package dev.vigil.provisioning;

import java.util.Collection;

/** What the management service asks of the endpoints holding live DTLS sessions. */
public interface SessionControl {

    /** Cuts every live session of these keys at once; their next handshake re-checks the registry. */
    void terminate(Collection<String> keyIds);

    /** Live DTLS sessions on the device endpoint. */
    int liveDeviceSessions();
}
