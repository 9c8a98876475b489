package dev.vigil.device.sim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lossy UDP link between simulated devices and a server, on one thread: devices send to {@link #port()} on
 * loopback; each device address gets a socket of its own toward the server (so the server sees one peer per
 * device, as it would in the field), and the server's answers go back the same way. Each datagram, either way,
 * is dropped with probability {@code loss}, drawn from a random sequence seeded with {@code seed}.
 */
public final class LossyRelay implements AutoCloseable {

    /** Largest datagram relayed; a DTLS record over UDP stays well below. */
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress server;
    private final double loss;
    private final SplittableRandom random;
    private final Selector selector;
    private final DatagramChannel front;
    /** Sockets toward the server by peer, least recently used first: at most {@code maxPeers} are kept. */
    private final Map<SocketAddress, DatagramChannel> upstream = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private final int maxPeers;
    private final AtomicLong evicted = new AtomicLong();
    private final Thread thread;
    private final AtomicLong datagramsUp = new AtomicLong();
    private final AtomicLong datagramsDown = new AtomicLong();
    private final AtomicLong droppedUp = new AtomicLong();
    private final AtomicLong droppedDown = new AtomicLong();

    /** Starts relaying to {@code server}; {@code loss} is a probability from 0 to 1. */
    public LossyRelay(InetSocketAddress server, double loss, long seed) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), server, loss, seed);
    }

    /** Starts relaying datagrams that arrive on {@code listen} to {@code server}, keeping up to 4,096 peers. */
    public LossyRelay(InetSocketAddress listen, InetSocketAddress server, double loss, long seed) throws IOException {
        this(listen, server, loss, seed, 4096);
    }

    /**
     * Starts relaying datagrams that arrive on {@code listen} to {@code server} (a gateway's relay port: no loss),
     * with a socket toward the server for each of at most {@code maxPeers} peers: a new peer beyond that closes the
     * least recently heard one's (senders of spoofed addresses cannot exhaust sockets; a real peer that was evicted
     * gets a new socket with its next datagram, and a DTLS session with a Connection ID survives the new port).
     */
    public LossyRelay(InetSocketAddress listen, InetSocketAddress server, double loss, long seed, int maxPeers)
            throws IOException {
        if (maxPeers < 1) {
            throw new IllegalArgumentException("maxPeers must be at least 1, not " + maxPeers);
        }
        this.maxPeers = maxPeers;
        if (!(loss >= 0 && loss <= 1)) {
            throw new IllegalArgumentException("loss must be a probability from 0 to 1, not " + loss);
        }
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve " + server.getHostString());
        }
        this.server = server;
        this.loss = loss;
        this.random = new SplittableRandom(seed);
        this.selector = Selector.open();
        this.front = DatagramChannel.open();
        front.bind(listen);
        front.configureBlocking(false);
        front.register(selector, SelectionKey.OP_READ);
        this.thread = new Thread(this::relay, "vigil-sim-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** The port devices send to. */
    public int port() {
        return front.socket().getLocalPort();
    }

    /** Datagrams that reached the server, and the devices. */
    public long datagramsUp() {
        return datagramsUp.get();
    }

    public long datagramsDown() {
        return datagramsDown.get();
    }

    /** Peers whose socket was closed to make room for a new one. */
    public long evicted() {
        return evicted.get();
    }

    /** Datagrams dropped on the way to the server, and on the way back. */
    public long droppedUp() {
        return droppedUp.get();
    }

    public long droppedDown() {
        return droppedDown.get();
    }

    private void relay() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        forward(key, buffer);
                    } catch (IOException e) {
                        // one datagram lost (e.g. an ICMP port unreachable reported on a socket): keep relaying
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    private void forward(SelectionKey key, ByteBuffer buffer) throws IOException {
        DatagramChannel from = (DatagramChannel) key.channel();
        buffer.clear();
        SocketAddress source = from.receive(buffer);
        if (source == null) {
            return;
        }
        buffer.flip();
        if (from == front) {
            up(source, buffer);
        } else {
            down((SocketAddress) key.attachment(), buffer);
        }
    }

    private void up(SocketAddress device, ByteBuffer datagram) throws IOException {
        DatagramChannel toServer = upstream.get(device);
        if (toServer == null) {
            if (upstream.size() >= maxPeers) {
                java.util.Iterator<DatagramChannel> eldest = upstream.values().iterator();
                eldest.next().close(); // also cancels its key
                eldest.remove();
                evicted.incrementAndGet();
            }
            toServer = DatagramChannel.open();
            toServer.connect(server);
            toServer.configureBlocking(false);
            toServer.register(selector, SelectionKey.OP_READ, device);
            upstream.put(device, toServer);
        }
        if (lost()) {
            droppedUp.incrementAndGet();
            return;
        }
        datagramsUp.incrementAndGet();
        try {
            toServer.write(datagram);
        } catch (IOException e) {
            datagramsUp.decrementAndGet();
            droppedUp.incrementAndGet(); // e.g. the server's port is closed: as lost as on the air
        }
    }

    private void down(SocketAddress device, ByteBuffer datagram) throws IOException {
        if (lost()) {
            droppedDown.incrementAndGet();
            return;
        }
        datagramsDown.incrementAndGet(); // counted first: the device may act on it before this thread goes on
        front.send(datagram, device);
    }

    private boolean lost() {
        return loss > 0 && random.nextDouble() < loss;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        front.close();
        for (DatagramChannel channel : upstream.values()) {
            channel.close();
        }
    }
}
