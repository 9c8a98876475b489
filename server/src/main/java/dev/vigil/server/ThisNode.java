package dev.vigil.server;

import dev.vigil.provisioning.cluster.NodeDirectory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import org.eclipse.californium.elements.config.Configuration;

/** How this node names itself among the nodes of one registry ({@code vigil status}). */
final class ThisNode {

    private ThisNode() {
    }

    /** {@code VIGIL.NODE_ID}, or this host's name and the device port. */
    static NodeDirectory.Node self(Configuration config, InetSocketAddress devices, Clock clock) {
        String configured = config.get(VigilConfig.NODE_NAME).strip();
        String id = configured.isEmpty() ? hostName() + ":" + devices.getPort() : configured;
        String host = devices.getAddress().getHostAddress();
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + devices.getPort();
        return new NodeDirectory.Node(id.length() > 64 ? id.substring(0, 64) : id, address, clock.instant(),
                clock.instant(), 0, 0);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
