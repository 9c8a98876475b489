package dev.vigil.server;

import dev.vigil.provisioning.management.LiveActivity;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each device last made a request to this node (the gate tells it; one map lookup and a store per request,
 * no allocation after a device's first) and its live sessions (asked of the DTLS connector when an operator
 * looks). In memory: after a restart a device is "not seen" until it next speaks.
 */
final class DeviceActivity implements LiveActivity {

    private final Map<Long, AtomicLong> lastRequest = new ConcurrentHashMap<>();
    private final SessionTerminator sessions;

    DeviceActivity(SessionTerminator sessions) {
        this.sessions = sessions;
    }

    void heard(long deviceId, long nowMillis) {
        lastRequest.computeIfAbsent(deviceId, id -> new AtomicLong()).set(nowMillis);
    }

    @Override
    public Map<String, Session> sessions() {
        return sessions.liveSessions();
    }

    @Override
    public OptionalLong lastRequestMillis(long deviceId) {
        AtomicLong at = lastRequest.get(deviceId);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at.get());
    }
}
