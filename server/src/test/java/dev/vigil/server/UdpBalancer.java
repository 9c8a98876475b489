package dev.vigil.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP load balancer for tests and benchmarks, as one in front of a cluster would be: one public port on
 * 127.0.0.1; each flow (client address and port — the rest of the 5-tuple is fixed) goes to the node its hash
 * picks, from a socket of its own, and the nodes' answers go back to the client from the public port. A flow can
 * be moved to another node at any time, as a rebalance or a NAT re-binding would.
 */
final class UdpBalancer implements AutoCloseable {

    private final List<InetSocketAddress> nodes;
    private final DatagramSocket front;
    private final Map<InetSocketAddress, Flow> flows = new ConcurrentHashMap<>();
    private final Thread receiver;

    /** A client's flow: the socket it leaves by, and the node it goes to. */
    private final class Flow {
        final InetSocketAddress client;
        final DatagramSocket back;
        volatile int node;

        Flow(InetSocketAddress client, int node) throws SocketException {
            this.client = client;
            this.node = node;
            this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread relay = new Thread(this::relayAnswers, "balancer-flow-" + client.getPort());
            relay.setDaemon(true);
            relay.start();
        }

        private void relayAnswers() {
            byte[] buffer = new byte[2048];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (!back.isClosed()) {
                try {
                    packet.setData(buffer);
                    back.receive(packet);
                    front.send(new DatagramPacket(packet.getData(), packet.getLength(), client));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }
    }

    UdpBalancer(List<InetSocketAddress> nodes) {
        this.nodes = List.copyOf(nodes);
        try {
            front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        receiver = new Thread(this::forwardRequests, "balancer-front");
        receiver.setDaemon(true);
        receiver.start();
    }

    private void forwardRequests() {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!front.isClosed()) {
            try {
                packet.setData(buffer);
                front.receive(packet);
                InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
                Flow flow = flows.get(client);
                if (flow == null) {
                    flow = new Flow(client, Math.floorMod(client.hashCode(), nodes.size()));
                    flows.put(client, flow);
                }
                flow.back.send(new DatagramPacket(packet.getData(), packet.getLength(), nodes.get(flow.node)));
            } catch (IOException e) {
                if (front.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Where clients send to. */
    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** The clients seen so far. */
    List<InetSocketAddress> clients() {
        return List.copyOf(flows.keySet());
    }

    /** The index of the node {@code client}'s flow goes to. */
    int nodeOf(InetSocketAddress client) {
        return flows.get(client).node;
    }

    /** Sends {@code client}'s next datagrams to node {@code node} (an index into the node list). */
    void move(InetSocketAddress client, int node) {
        flows.get(client).node = node;
    }

    @Override
    public void close() {
        front.close();
        flows.values().forEach(flow -> flow.back.close());
    }
}
