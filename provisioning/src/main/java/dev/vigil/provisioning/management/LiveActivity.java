package dev.vigil.provisioning.management;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the node sees of devices right now, for operators: live DTLS sessions and when each device was last
 * heard from. Held in memory by the node that serves the device (not persisted: after a restart a device is
 * "not seen" until it next speaks; its last stored reading is in the registry).
 */
public interface LiveActivity {

    /** A live session: since when (its handshake), from which address, with which Connection ID (hex, or null). */
    /** A live session: since its full handshake; {@code resumed} when its current keys came from a resumption. */
    record Session(Instant since, String address, String connectionId, boolean resumed) {
    }

    /** Live device sessions by key id. */
    Map<String, Session> sessions();

    /** When the device last made a request to this node (epoch ms), if it did since the node started. */
    OptionalLong lastRequestMillis(long deviceId);
}
