package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceDirectory;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import java.util.function.Consumer;
import dev.vigil.policy.trust.DeviceTrust;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.trust.TrustRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Bookkeeping of the device endpoint's connections, so that what peers leave behind stays bounded:
 * <ul>
 * <li>the sessions of unknown keys (enrollment only) are counted apart from devices', so a flood of
 * throw-away keys cannot fill the connection store registered devices need: past
 * {@code VIGIL.MAX_ENROLLMENT_SESSIONS}, unknown keys are refused at the handshake. Their requests may not
 * be block-wise either — an enrollment body is a few dozen bytes, and Block1 transfers are buffered before
 * the request gate sees them — so a Block1 request from an unknown key is dropped unread;</li>
 * <li>one key, one session: when a key completes a new full handshake (a device woke up without its
 * session, rebooted, or came from a new address without a Connection ID), its older session is dropped
 * {@link SessionTerminator#SUPERSEDED_GRACE_MS} later, rather than lingering until Scandium finds it stale
 * (30 minutes);</li>
 * <li>the trust engine hears of every handshake and every connection that ends; when a key's new session
 * comes from another address while its older one stands, the older one is pinged ({@link SessionProbe}):
 * an answer means the key is live in two places — a clone.</li>
 * </ul>
 */
final class DeviceConnections extends MessageInterceptorAdapter implements ConnectionListener {

    private final DeviceDirectory devices;
    private final int max;
    /**
     * Live connections of unknown keys, by connection id (fixed for a connection's life, unlike
     * {@code Connection.hashCode}, which changes with the peer's address); the value is the key id.
     */
    private final Map<ConnectionId, String> connections = new ConcurrentHashMap<>();
    /** Key ids with a live enrollment connection, with how many they have. */
    private final Map<String, Integer> keys = new ConcurrentHashMap<>();
    private final Runnable onDroppedBlockwise;
    /** A key's newest session: its peer identity (the object, not its name), trust key and address. */
    private record Latest(Principal identity, long connection, InetSocketAddress address) {
    }

    /** The newest session of each key with one. */
    private final Map<String, Latest> newest = new ConcurrentHashMap<>();
    /** Drops the connections whose session has this very identity object; set once the connector exists. */
    private volatile Consumer<Principal> drop = p -> { };
    private volatile SessionProbe probe;
    private volatile OffGatewayCheck relay;
    private final TrustRegistry trust;
    private final Clock clock;

    /** Established connections whose keys came from a resumption (by Connection ID). */
    private final Set<ConnectionId> resumedConnections = ConcurrentHashMap.newKeySet();
    private volatile KeyResumptionVerifier resumptions;

    void dropWith(Consumer<Principal> drop) {
        this.drop = drop;
    }

    void probeWith(SessionProbe probe) {
        this.probe = probe;
    }

    /** Checks each device's new session against the gateway it is registered behind (relay children). */
    void checkRelayWith(OffGatewayCheck relay) {
        this.relay = relay;
    }

    /** The address of the newest live session of the key {@code keyId}, if it has one. */
    Optional<InetSocketAddress> liveAddress(String keyId) {
        return Optional.ofNullable(newest.get(keyId)).map(Latest::address);
    }

    /** Tells established connections that came from a resumption (the device endpoint's resumption verifier). */
    void resumptionsFrom(KeyResumptionVerifier verifier) {
        this.resumptions = verifier;
    }

    /** Whether the connection's current keys came from an abbreviated handshake (a resumption), not a full one. */
    boolean resumed(Connection connection) {
        return resumedConnections.contains(connection.getConnectionId());
    }

    DeviceConnections(DeviceDirectory devices, TrustRegistry trust, Clock clock, int max, Runnable onDroppedBlockwise) {
        this.devices = devices;
        this.trust = trust;
        this.clock = clock;
        this.max = max;
        this.onDroppedBlockwise = onDroppedBlockwise;
    }

    /**
     * Whether another unknown key may complete a handshake now. A soft cap: sessions are counted once
     * established, so handshakes already past this check when the cap is reached still complete.
     */
    boolean roomForUnknownKey() {
        return connections.size() < max;
    }

    /** Sessions of unknown keys now. */
    int unknownKeySessions() {
        return connections.size();
    }

    /** Stops counting connections whose key has since become a device's (it enrolled). */
    void forgetEnrolled() {
        connections.forEach((id, keyId) -> {
            if (devices.findByKeyId(keyId).isPresent()) {
                forget(id);
            }
        });
    }

    @Override
    public void onConnectionEstablished(Connection connection) {
        boolean resumed = resumptions != null && resumptions.resumedInto(connection.getConnectionId());
        if (resumed) {
            resumedConnections.add(connection.getConnectionId());
        } else {
            resumedConnections.remove(connection.getConnectionId());
        }
        Principal peer = connection.getEstablishedPeerIdentity();
        if (!(peer instanceof RawPublicKeyIdentity)) {
            return;
        }
        long key = SessionKeys.connection(connection);
        InetSocketAddress address = connection.getPeerAddress();
        Latest older = newest.put(peer.getName(), new Latest(peer, key, address));
        Optional<DeviceIdentity> device = devices.findByKeyId(peer.getName());
        if (device.isPresent()) {
            DeviceTrust state = trust.stateOf(device.get());
            trust.engine().onHandshake(state, clock.millis(), key, SessionKeys.address(address), resumed);
            OffGatewayCheck check = relay;
            if (check != null) {
                check.newSession(device.get(), state, address);
            }
            if (older != null && older.identity() != peer && older.address() != null
                    && !older.address().equals(address) && probe != null) {
                // the same key, newly from another address, while its older session stands: is that one alive?
                probe.ping(older.address(), () -> trust.engine().onSessionActivity(state, clock.millis(),
                        older.connection(), SessionKeys.address(older.address())));
            }
        } else if (connections.putIfAbsent(connection.getConnectionId(), peer.getName()) == null) {
            keys.merge(peer.getName(), 1, Integer::sum);
        }
        if (older != null && older.identity() != peer) { // a resumed session shares its identity object
            drop.accept(older.identity());
        }
    }

    @Override
    public void onConnectionRemoved(Connection connection) {
        forget(connection.getConnectionId());
        resumedConnections.remove(connection.getConnectionId());
        if (resumptions != null) {
            resumptions.forget(connection.getConnectionId());
        }
        DTLSSession session = connection.getEstablishedSession();
        Principal peer = session == null ? null : session.getPeerIdentity();
        if (peer != null) {
            newest.computeIfPresent(peer.getName(), (name, current) -> current.identity() == peer ? null : current);
            devices.findByKeyId(peer.getName()).ifPresent(device -> trust.engine().onSessionClosed(
                    trust.stateOf(device), SessionKeys.connection(connection)));
        }
    }

    private void forget(ConnectionId id) {
        String keyId = id == null ? null : connections.remove(id);
        if (keyId != null) {
            keys.computeIfPresent(keyId, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    @Override
    public boolean onConnectionUpdatesSequenceNumbers(Connection connection, boolean writeSequenceNumber) {
        return false;
    }

    @Override
    public boolean onConnectionMacError(Connection connection) {
        return false;
    }

    @Override
    public void beforeExecution(Connection connection) {
    }

    @Override
    public void updateExecution(Connection connection) {
    }

    @Override
    public void afterExecution(Connection connection) {
    }

    /** Drops a Block1 request of an unknown key before Californium buffers it. */
    @Override
    public void receiveRequest(Request request) {
        if (request.getOptions().hasBlock1()) {
            Principal peer = request.getSourceContext().getPeerIdentity();
            if (peer == null || keys.containsKey(peer.getName())) {
                request.setCanceled(true);
                onDroppedBlockwise.run();
            }
        }
    }
}
