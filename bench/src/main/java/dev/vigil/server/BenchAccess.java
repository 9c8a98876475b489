package dev.vigil.server;

import java.security.Principal;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSSession;

/**
 * What benchmarks need to see inside a running node (bench only; split package on purpose): the device
 * endpoint's DTLS connector, how many connections it holds, and one session's peer key.
 */
public final class BenchAccess {

    private BenchAccess() {
    }

    public static DTLSConnector deviceConnector(VigilServer server) {
        try {
            java.lang.reflect.Field field = VigilServer.class.getDeclaredField("deviceEndpoint");
            field.setAccessible(true);
            return ((DtlsServerEndpoint) field.get(server)).connector();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("VigilServer.deviceEndpoint is not reachable: " + e, e);
        }
    }

    /** How long a node answers a revoked session with 4.03 before its close_notify. */
    public static long refusalWindowMs() {
        return SessionTerminator.REFUSAL_WINDOW_MS;
    }

    /** Connections of any state the node's device endpoint holds. */
    public static int deviceConnections(VigilServer server) {
        return server.deviceConnections();
    }

    /** Connections with an established DTLS context (with or without a current address). */
    public static int established(DTLSConnector connector) {
        AtomicInteger count = new AtomicInteger();
        try {
            connector.startForEach((Filter<Connection>) c -> {
                if (c.hasEstablishedDtlsContext()) {
                    count.incrementAndGet();
                }
                return false;
            }).get();
        } catch (Exception e) {
            return -1;
        }
        return count.get();
    }

    /** The peer key of one established session, as the server keeps it (its principal). */
    public static PublicKey onePeerKey(DTLSConnector connector) {
        AtomicReference<PublicKey> key = new AtomicReference<>();
        try {
            connector.startForEach((Filter<Connection>) c -> {
                DTLSSession session = c.getEstablishedSession();
                Principal peer = session == null ? null : session.getPeerIdentity();
                if (peer instanceof RawPublicKeyIdentity rpk && key.get() == null) {
                    key.set(rpk.getKey());
                }
                return false;
            }).get();
        } catch (Exception e) {
            return null;
        }
        return key.get();
    }

    /** The names of the precomputations Bouncy Castle has cached on an EC public key's point, or null. */
    public static String bcPrecomputation(PublicKey key) {
        if (!(key instanceof org.bouncycastle.jce.interfaces.ECPublicKey bc)) {
            return null;
        }
        try {
            java.lang.reflect.Field table = org.bouncycastle.math.ec.ECPoint.class.getDeclaredField("preCompTable");
            table.setAccessible(true);
            Object value = table.get(bc.getQ());
            return value instanceof java.util.Map<?, ?> map ? map.keySet().toString() : "none";
        } catch (ReflectiveOperationException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
