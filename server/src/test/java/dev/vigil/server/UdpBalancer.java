package dev.vigil.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A UDP load balancer for tests and benchmarks, as one in front of a cluster would be: one or more public ports on
 * 127.0.0.1; each flow (client address and port, and the public port it came to — the rest of the 5-tuple is fixed)
 * goes to the node its hash picks, from a socket of its own, and the nodes' answers go back to the client from the
 * public port of its flow. A flow can be moved to another node at any time, as a rebalance or a NAT re-binding would.
 * One thread relays every flow (a selector over the public ports and the flows' sockets), so ten thousand flows cost
 * ten thousand sockets, not ten thousand threads.
 */
final class UdpBalancer implements AutoCloseable {

    private static final int MAX_DATAGRAM = 2048;
    /** Datagrams taken from one socket before the others get their turn. */
    private static final int BURST = 64;

    /** A flow's identity: the client's address and port, and which public port (an index) it sends to. */
    record Route(InetSocketAddress client, int front) {
    }

    /** A flow: the socket it leaves by, and the node it goes to. */
    private static final class Flow {
        final Route route;
        final DatagramChannel back;
        volatile int node;

        Flow(Route route, DatagramChannel back, int node) {
            this.route = route;
            this.back = back;
            this.node = node;
        }
    }

    private final List<InetSocketAddress> nodes;
    private final List<DatagramChannel> fronts = new ArrayList<>();
    private final Selector selector;
    private final Map<Route, Flow> flows = new ConcurrentHashMap<>();
    private final Thread relay;
    private volatile boolean closed;

    /** One public port. */
    UdpBalancer(List<InetSocketAddress> nodes) {
        this(nodes, 1);
    }

    /** {@code publicPorts} public ports on 127.0.0.1 (see {@link #addresses()}). */
    UdpBalancer(List<InetSocketAddress> nodes, int publicPorts) {
        this.nodes = List.copyOf(nodes);
        try {
            selector = Selector.open();
            for (int i = 0; i < publicPorts; i++) {
                DatagramChannel front = DatagramChannel.open();
                fronts.add(front);
                front.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                front.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                front.configureBlocking(false);
                front.register(selector, SelectionKey.OP_READ, i);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
        relay = new Thread(this::relay, "balancer");
        relay.setDaemon(true);
        relay.start();
    }

    /** The node (an index into the node list) a new flow goes to. */
    static int pick(Route route, int nodeCount) {
        return Math.floorMod(route.client().hashCode() + route.front(), nodeCount);
    }

    private void relay() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (!closed) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.attachment() instanceof Integer front) {
                        forwardRequests(front, buffer);
                    } else {
                        relayAnswers((Flow) key.attachment(), buffer);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) {
                throw new IllegalStateException("the test balancer stopped relaying", e);
            }
        }
    }

    private void forwardRequests(int front, ByteBuffer buffer) throws IOException {
        DatagramChannel channel = fronts.get(front);
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            InetSocketAddress client = (InetSocketAddress) channel.receive(buffer);
            if (client == null) {
                return;
            }
            Route route = new Route(client, front);
            Flow flow = flows.get(route);
            if (flow == null) {
                flow = open(route);
            }
            buffer.flip();
            flow.back.send(buffer, nodes.get(flow.node)); // a full socket buffer drops it, as UDP may
        }
    }

    private Flow open(Route route) throws IOException {
        DatagramChannel back = DatagramChannel.open();
        back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back.configureBlocking(false);
        Flow flow = new Flow(route, back, pick(route, nodes.size()));
        back.register(selector, SelectionKey.OP_READ, flow);
        flows.put(route, flow);
        return flow;
    }

    private void relayAnswers(Flow flow, ByteBuffer buffer) throws IOException {
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            if (flow.back.receive(buffer) == null) {
                return;
            }
            buffer.flip();
            fronts.get(flow.route.front()).send(buffer, flow.route.client());
        }
    }

    /** Where clients send to (the first public port). */
    InetSocketAddress address() {
        return addresses().get(0);
    }

    /** Every public port, in the order of {@link Route#front()}. */
    List<InetSocketAddress> addresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (DatagramChannel front : fronts) {
            try {
                addresses.add((InetSocketAddress) front.getLocalAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return addresses;
    }

    /** The clients seen so far. */
    List<InetSocketAddress> clients() {
        return flows.keySet().stream().map(Route::client).distinct().toList();
    }

    /** The flows seen so far. */
    List<Route> routes() {
        return List.copyOf(flows.keySet());
    }

    /** The index of the node {@code client}'s flow goes to (a balancer with one public port). */
    int nodeOf(InetSocketAddress client) {
        if (fronts.size() != 1) {
            throw new IllegalStateException("a client has a flow per public port here; ask by route");
        }
        return nodeOf(new Route(client, 0));
    }

    /** The index of the node the flow goes to. */
    int nodeOf(Route route) {
        return flows.get(route).node;
    }

    /** Sends the next datagrams of each of {@code client}'s flows to node {@code node} (an index into the node list). */
    void move(InetSocketAddress client, int node) {
        flows.values().stream().filter(flow -> flow.route.client().equals(client)).forEach(flow -> flow.node = node);
    }

    @Override
    public void close() {
        closed = true;
        if (selector != null) {
            selector.wakeup();
        }
        if (relay != null) {
            try {
                relay.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (selector != null) {
                selector.close();
            }
            for (DatagramChannel front : fronts) {
                front.close();
            }
            for (Flow flow : flows.values()) {
                flow.back.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
