package dev.vigil.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between one client and a server that counts what crosses it: datagrams and UDP payload
 * bytes (the DTLS records), each way. The client talks to {@link #address()}; the server sees the relay.
 */
public final class UdpRelay implements AutoCloseable {

    /** Counters at one moment; subtract two to get what one exchange cost. */
    public record Counts(long upBytes, long upDatagrams, long downBytes, long downDatagrams) {
        public Counts minus(Counts earlier) {
            return new Counts(upBytes - earlier.upBytes, upDatagrams - earlier.upDatagrams,
                    downBytes - earlier.downBytes, downDatagrams - earlier.downDatagrams);
        }

        public long bytes() {
            return upBytes + downBytes;
        }

        public long datagrams() {
            return upDatagrams + downDatagrams;
        }
    }

    private final DatagramSocket front;
    private volatile DatagramSocket back;
    private final InetSocketAddress server;
    private volatile SocketAddress client;
    private final AtomicLong upBytes = new AtomicLong();
    private final AtomicLong upDatagrams = new AtomicLong();
    private final AtomicLong downBytes = new AtomicLong();
    private final AtomicLong downDatagrams = new AtomicLong();
    /** The first datagrams each way ({true=up, bytes}), for looking at the handshake in clear. */
    private final java.util.List<java.util.Map.Entry<Boolean, byte[]>> captured =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final Thread upstream;

    public UdpRelay(InetSocketAddress server) throws SocketException {
        this.server = server;
        front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        upstream = new Thread(() -> pump(front, true), "relay-up");
        upstream.setDaemon(true);
        upstream.start();
        pumpDown(back);
    }

    /** A NAT rebinding: from now on the server sees the client at another source port. */
    public void rebind() throws SocketException {
        DatagramSocket old = back;
        back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        pumpDown(back);
        old.close();
    }

    private void pumpDown(DatagramSocket socket) {
        Thread downstream = new Thread(() -> pump(socket, false), "relay-down");
        downstream.setDaemon(true);
        downstream.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    public java.util.List<java.util.Map.Entry<Boolean, byte[]>> captured() {
        synchronized (captured) {
            return new java.util.ArrayList<>(captured);
        }
    }

    public Counts counts() {
        return new Counts(upBytes.get(), upDatagrams.get(), downBytes.get(), downDatagrams.get());
    }

    private void pump(DatagramSocket from, boolean up) {
        byte[] buffer = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!from.isClosed()) {
            try {
                packet.setData(buffer);
                from.receive(packet);
                int length = packet.getLength();
                if (captured.size() < 16) {
                    captured.add(java.util.Map.entry(up, java.util.Arrays.copyOf(buffer, length)));
                }
                if (up) {
                    client = packet.getSocketAddress();
                    upBytes.addAndGet(length);
                    upDatagrams.incrementAndGet();
                    back.send(new DatagramPacket(buffer, 0, length, server));
                } else {
                    SocketAddress to = client;
                    if (to == null) {
                        continue;
                    }
                    downBytes.addAndGet(length);
                    downDatagrams.incrementAndGet();
                    front.send(new DatagramPacket(buffer, 0, length, to));
                }
            } catch (IOException e) {
                if (from.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
