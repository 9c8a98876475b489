package dev.vigil.server;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import org.eclipse.californium.scandium.DtlsClusterConnector.ClusterNodesProvider;

/** The cluster's other nodes by id, fixed by configuration ({@code VIGIL.CLUSTER_NODES}): their internal cluster ports. */
final class ClusterNodes implements ClusterNodesProvider {

    private final Map<Integer, InetSocketAddress> others;

    ClusterNodes(Map<Integer, InetSocketAddress> others) {
        this.others = Map.copyOf(others);
    }

    @Override
    public InetSocketAddress getClusterNode(int nodeId) {
        return others.get(nodeId);
    }

    @Override
    public boolean available(InetSocketAddress destinationConnector) {
        return others.containsValue(destinationConnector);
    }

    Collection<InetSocketAddress> addresses() {
        return others.values();
    }
}
