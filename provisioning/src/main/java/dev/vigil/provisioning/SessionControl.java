package dev.vigil.provisioning;

import java.util.Collection;

/** What the management service asks of the endpoints holding live DTLS sessions. */
public interface SessionControl {

    /**
     * Cuts every live session of these keys. Called once the registry refuses them, so requests on those sessions
     * are refused from now on; the sessions themselves close a moment later and the next handshake re-checks.
     */
    void terminate(Collection<String> keyIds);

    /** Live DTLS sessions on the device endpoint. */
    int liveDeviceSessions();
}
