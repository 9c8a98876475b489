package dev.vigil.server;

import dev.vigil.provisioning.SessionControl;
import java.util.function.Predicate;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSSession;

/**
 * Cuts live DTLS sessions. The caller has already made the registry refuse the principal, so from that moment
 * the request gate answers anything on the old session with 4.03. {@link #REFUSAL_WINDOW_MS} later the
 * session gets its close_notify (the peer re-handshakes on its next request and is refused at the handshake),
 * and {@link #REMOVAL_GRACE_MS} after that the connection and its resumable session are dropped (a peer that
 * ignores the close_notify cannot resume either).
 * <p>
 * Why the close_notify waits: a peer discards every record that follows a close_notify, and the DTLS layer
 * here drops what arrives for a removed connection, so a request that crosses either on the wire goes
 * unanswered until the peer's CoAP retransmission (2–3 s). In the refusal window the peer's requests are
 * answered — with 4.03 — so a device that is talking when it is revoked learns it within one round trip.
 * <p>
 * Also the lifetime sweep: sessions older than their principal's maximum lifetime are closed, so the
 * next contact is a full handshake.
 */
final class SessionTerminator implements SessionControl {

    /** From the registry refusing a principal to its sessions' close_notify: a few round trips of answered 4.03s. */
    static final long REFUSAL_WINDOW_MS = 250;
    static final long REMOVAL_GRACE_MS = 1000;
    /** How long a superseded session stands: long enough for its peer to answer a probe over a slow link. */
    static final long SUPERSEDED_GRACE_MS = 5000;
    /** How long superseded sessions gather before one scan drops them all (after their grace). */
    static final long SUPERSEDED_BATCH_MS = 1000;

    private final DTLSConnector devices;
    private final DTLSConnector management;
    private final ScheduledExecutorService scheduler;
    private final Object supersededLock = new Object();
    /** Identities superseded since the open batch began, or null when none is open. Guarded by supersededLock. */
    private Set<Principal> superseded;

    /** Whether a live connection's keys came from a resumption; told by {@link #resumedBy}. */
    private volatile Predicate<Connection> resumed = connection -> false;

    void resumedBy(Predicate<Connection> resumed) {
        this.resumed = resumed;
    }

    SessionTerminator(DTLSConnector devices, DTLSConnector management, ScheduledExecutorService scheduler) {
        this.devices = devices;
        this.management = management;
        this.scheduler = scheduler;
    }

    @Override
    public void terminate(Collection<String> keyIds) {
        if (keyIds.isEmpty()) {
            return;
        }
        Set<String> ids = Set.copyOf(keyIds);
        for (DTLSConnector connector : new DTLSConnector[] {devices, management}) {
            scheduler.schedule(() -> closeWhere(connector, connection -> ids.contains(peerName(connection))),
                    REFUSAL_WINDOW_MS, TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> connector.startTerminateConnectionsForPrincipal(
                    (Filter<Principal>) p -> ids.contains(p.getName()), true), REFUSAL_WINDOW_MS + REMOVAL_GRACE_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Drops, {@link #SUPERSEDED_GRACE_MS} to {@link #SUPERSEDED_GRACE_MS} + {@link #SUPERSEDED_BATCH_MS} from now, the
     * device connections whose session has this very peer identity object (a superseded session: the key has a newer
     * one, with another identity object). The identities superseded within one {@link #SUPERSEDED_BATCH_MS} go in one
     * batch, dropped by one scan of the connections: a scan per identity made a storm of reconnecting devices cost
     * the number of devices squared, on the threads that run the handshakes.
     */
    void dropDeviceSession(Principal identity) {
        synchronized (supersededLock) {
            if (superseded == null) {
                Set<Principal> batch = Collections.newSetFromMap(new IdentityHashMap<>());
                superseded = batch;
                scheduler.schedule(() -> closeBatch(batch), SUPERSEDED_BATCH_MS, TimeUnit.MILLISECONDS);
            }
            superseded.add(identity);
        }
    }

    private void closeBatch(Set<Principal> batch) {
        synchronized (supersededLock) {
            superseded = null;
        }
        // the batch is no longer written: the scan's threads read it after this task (the executor orders them)
        scheduler.schedule(() -> devices.startTerminateConnectionsForPrincipal((Filter<Principal>) batch::contains,
                true), SUPERSEDED_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes device sessions older than {@code maxAgeMillis(keyId)} allows, and {@link #REMOVAL_GRACE_MS}
     * later drops those very connections (not a newer one the peer made meanwhile with the same key), so a
     * closed session holds no memory even when its peer ignores the close_notify or never returns.
     *
     * @param maxAgeMillis the maximum lifetime of a principal's sessions, in ms
     */
    void sweep(long nowMillis, ToLongFunction<String> maxAgeMillis) {
        Set<Principal> expired = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        try {
            devices.startForEach((Filter<Connection>) connection -> {
                DTLSSession session = connection.getEstablishedSession();
                String name = peerName(connection);
                if (session != null && name != null
                        && nowMillis - session.getCreationTime() >= maxAgeMillis.applyAsLong(name)) {
                    expired.add(session.getPeerIdentity());
                    // a connection whose address another peer took over cannot be told; it is only dropped
                    InetSocketAddress peer = connection.getPeerAddress();
                    if (peer != null && connection.hasEstablishedDtlsContext()) {
                        devices.close(peer);
                    }
                }
                return false;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("session sweep failed", e.getCause());
        }
        if (!expired.isEmpty()) {
            scheduler.schedule(() -> devices.startTerminateConnectionsForPrincipal(
                    (Filter<Principal>) expired::contains, true), REMOVAL_GRACE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The device endpoint's live sessions by key id: since when, from where, with which Connection ID. */
    java.util.Map<String, dev.vigil.provisioning.management.LiveActivity.Session> liveSessions() {
        java.util.Map<String, dev.vigil.provisioning.management.LiveActivity.Session> live =
                new java.util.concurrent.ConcurrentHashMap<>();
        try {
            devices.startForEach((Filter<Connection>) connection -> {
                DTLSSession session = connection.getEstablishedSession();
                String name = peerName(connection);
                InetSocketAddress peer = connection.getPeerAddress();
                if (session != null && name != null && peer != null) {
                    org.eclipse.californium.scandium.dtls.ConnectionId cid = connection.getConnectionId();
                    live.put(name, new dev.vigil.provisioning.management.LiveActivity.Session(
                            java.time.Instant.ofEpochMilli(session.getCreationTime()),
                            peer.getAddress().getHostAddress() + ":" + peer.getPort(),
                            cid == null || cid.isEmpty() ? null : cid.getAsString(), resumed.test(connection)));
                }
                return false;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("listing sessions failed", e.getCause());
        }
        return live;
    }

    @Override
    public int liveDeviceSessions() {
        return countDevices(Connection::hasEstablishedDtlsContext);
    }

    /** Connections of any state the device endpoint holds (established, closed, in a handshake). */
    int deviceConnections() {
        return countDevices(connection -> true);
    }

    private int countDevices(java.util.function.Predicate<Connection> which) {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        try {
            devices.startForEach((Filter<Connection>) c -> {
                if (which.test(c)) {
                    count.incrementAndGet();
                }
                return false;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            return -1;
        }
        return count.get();
    }

    private static void closeWhere(DTLSConnector connector, java.util.function.Predicate<Connection> which) {
        connector.startForEach((Filter<Connection>) connection -> {
            InetSocketAddress peer = connection.getPeerAddress();
            if (peer != null && connection.hasEstablishedDtlsContext() && which.test(connection)) {
                connector.close(peer);
            }
            return false;
        });
    }

    private static String peerName(Connection connection) {
        DTLSSession session = connection.getSession();
        Principal peer = session == null ? null : session.getPeerIdentity();
        return peer == null ? null : peer.getName();
    }
}
