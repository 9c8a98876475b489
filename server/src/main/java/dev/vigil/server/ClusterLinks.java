package dev.vigil.server;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.scandium.DtlsManagedClusterConnector;

/**
 * Keeps a DTLS link (PSK: the cluster key) from this node to every other node of the cluster: the cluster MAC
 * of a forwarded record is keyed by the link to its destination, so a record can only be forwarded once a link
 * stands. A ping each {@link #PERIOD_MS} starts the link's handshake when it is missing (at start, after a
 * node restarted) and is otherwise ignored by the receiver.
 */
final class ClusterLinks implements AutoCloseable {

    static final long PERIOD_MS = 2000;
    private static final byte[] PING = {61};

    private final Connector links;
    private final List<InetSocketAddress> nodes;
    private ScheduledFuture<?> pinging;

    /** Links of {@code connector}, which is not started yet, to {@code nodes}. */
    ClusterLinks(DtlsManagedClusterConnector connector, Collection<InetSocketAddress> nodes) {
        this.links = connector.getClusterManagementConnector();
        this.nodes = List.copyOf(nodes);
        links.setRawDataReceiver(data -> { }); // pings carry nothing
    }

    /** Once the connector runs: pings every node now and each {@link #PERIOD_MS}. */
    synchronized void start(ScheduledExecutorService scheduler) {
        pinging = scheduler.scheduleWithFixedDelay(this::ping, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void ping() {
        for (InetSocketAddress node : nodes) {
            links.send(RawData.outbound(PING, new AddressEndpointContext(node), null, false));
        }
    }

    @Override
    public synchronized void close() {
        if (pinging != null) {
            pinging.cancel(false);
        }
    }
}
