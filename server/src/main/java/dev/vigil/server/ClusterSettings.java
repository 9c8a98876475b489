package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.californium.elements.config.Configuration;

/**
 * This node's place in a DTLS cluster: its node id (the first byte of every Connection ID it issues), the
 * private address of its internal cluster port, the other nodes' internal ports, and the cluster key they
 * share (the PSK of the nodes' DTLS links, from which the cluster MAC of forwarded records is derived).
 *
 * @param nodeId 0..255
 * @param address where this node's internal cluster port binds (loopback or private)
 * @param others the other nodes' internal cluster ports by node id
 * @param key the cluster key (32 bytes)
 */
record ClusterSettings(int nodeId, InetSocketAddress address, Map<Integer, InetSocketAddress> others, byte[] key) {

    /**
     * The cluster settings of {@code config}, or null when {@code VIGIL.CLUSTER_NODES} is empty (a single
     * node). Anything wrong is an IllegalArgumentException of one line naming the setting.
     */
    static ClusterSettings of(Configuration config, DataDir dir) throws IOException {
        String nodes = config.get(VigilConfig.CLUSTER_NODES).strip();
        if (nodes.isEmpty()) {
            return null;
        }
        int nodeId = config.get(VigilConfig.NODE_ID);
        if (nodeId < 0 || nodeId > 255) {
            throw new IllegalArgumentException(VigilConfig.NODE_ID.getKey() + " must be between 0 and 255, not " + nodeId);
        }
        InetSocketAddress own = privateAddress(VigilConfig.CLUSTER_ADDRESS.getKey(), config.get(VigilConfig.CLUSTER_ADDRESS));
        Map<Integer, InetSocketAddress> others = new LinkedHashMap<>();
        for (String entry : nodes.split(",")) {
            String[] parts = entry.strip().split("=", 2);
            int id;
            try {
                id = Integer.parseInt(parts[0].strip());
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (parts.length != 2 || id < 0 || id > 255) {
                throw new IllegalArgumentException(VigilConfig.CLUSTER_NODES.getKey() + ": '" + entry.strip()
                        + "' is not id=host:port with an id between 0 and 255");
            }
            InetSocketAddress address = privateAddress(VigilConfig.CLUSTER_NODES.getKey(), parts[1].strip());
            if (id == nodeId) {
                if (!address.equals(own)) {
                    throw new IllegalArgumentException(VigilConfig.CLUSTER_NODES.getKey() + ": node " + id
                            + " is this node, whose cluster address is " + config.get(VigilConfig.CLUSTER_ADDRESS));
                }
            } else if (others.put(id, address) != null) {
                throw new IllegalArgumentException(VigilConfig.CLUSTER_NODES.getKey() + ": node " + id + " is listed twice");
            }
        }
        Path keyFile = dir.root().resolve(config.get(VigilConfig.CLUSTER_KEY_FILE));
        byte[] key;
        try {
            key = SecretKeyFile.read(keyFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VigilConfig.CLUSTER_KEY_FILE.getKey() + ": " + e.getMessage()
                    + " (make it once with 'openssl rand -out cluster.key 32; chmod 600 cluster.key' and copy it to"
                    + " every node)");
        }
        return new ClusterSettings(nodeId, own, others, key);
    }

    /**
     * host:port on a loopback or private address (RFC 1918, link-local, IPv6 unique local): the internal port
     * carries forwarded device records and must never face the Internet.
     */
    static InetSocketAddress privateAddress(String setting, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(setting + ": '" + hostPort + "' is not host:port");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(setting + ": unknown host '" + host + "'");
        }
        byte[] bytes = address.getAddress();
        boolean uniqueLocal = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
        if (!(address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || uniqueLocal)) {
            throw new IllegalArgumentException(setting + ": " + address.getHostAddress()
                    + " is not a private or loopback address; the cluster port must not face the Internet");
        }
        return new InetSocketAddress(address, port);
    }
}
