package dev.vigil.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP link between one device and a server, as the field has them: a stable address for the device, a
 * server behind it that can move (a restarted node binds a new port), a NAT that can rebind (the server then
 * sees a new source port), loss (each datagram dropped with a seeded probability, either way) and outages
 * (everything dropped). Counts datagrams and UDP payload bytes each way.
 */
final class LinkRelay implements AutoCloseable {

    private final DatagramSocket front;
    private volatile DatagramSocket back;
    private volatile InetSocketAddress server;
    private volatile InetSocketAddress device;
    private volatile double loss;
    private volatile boolean down;
    private volatile long cutAfter = Long.MAX_VALUE;
    private final SplittableRandom random = new SplittableRandom(7);
    final AtomicLong upDatagrams = new AtomicLong();
    final AtomicLong downDatagrams = new AtomicLong();
    final AtomicLong upBytes = new AtomicLong();
    final AtomicLong downBytes = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    LinkRelay(InetSocketAddress server) throws SocketException {
        this.server = server;
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread up = new Thread(this::relayUp, "link-up");
        up.setDaemon(true);
        up.start();
        rebind();
    }

    /** Where the device sends to. */
    int port() {
        return front.getLocalPort();
    }

    /** The server moved (restarted on another port). */
    void serverAt(InetSocketAddress moved) {
        this.server = moved;
    }

    void loss(double probability) {
        this.loss = probability;
    }

    /** Goes down by itself once this many datagrams in all have reached the device. */
    void cutAfter(long datagramsToDevice) {
        this.cutAfter = datagramsToDevice;
    }

    boolean isDown() {
        return down;
    }

    void down(boolean isDown) {
        this.down = isDown;
    }

    /** A NAT rebinding: from now on the server sees the device's datagrams come from another port. */
    synchronized void rebind() throws SocketException {
        DatagramSocket old = back;
        DatagramSocket fresh = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        back = fresh;
        Thread downstream = new Thread(() -> relayDown(fresh), "link-down");
        downstream.setDaemon(true);
        downstream.start();
        if (old != null) {
            old.close();
        }
    }

    private boolean lost() {
        if (down) {
            dropped.incrementAndGet();
            return true;
        }
        synchronized (random) {
            if (loss > 0 && random.nextDouble() < loss) {
                dropped.incrementAndGet();
                return true;
            }
        }
        return false;
    }

    private void relayUp() {
        byte[] buffer = new byte[2048];
        while (!front.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                front.receive(packet);
                device = (InetSocketAddress) packet.getSocketAddress();
                if (!lost()) {
                    upDatagrams.incrementAndGet();
                    upBytes.addAndGet(packet.getLength());
                    back.send(new DatagramPacket(packet.getData(), packet.getLength(), server));
                }
            } catch (IOException e) {
                if (front.isClosed()) {
                    return;
                }
            }
        }
    }

    private void relayDown(DatagramSocket from) {
        byte[] buffer = new byte[2048];
        while (!from.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                from.receive(packet);
                if (device != null && !lost()) {
                    downBytes.addAndGet(packet.getLength());
                    front.send(new DatagramPacket(packet.getData(), packet.getLength(), device));
                    if (downDatagrams.incrementAndGet() >= cutAfter) {
                        cutAfter = Long.MAX_VALUE;
                        down = true;
                    }
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        front.close();
        if (back != null) {
            back.close();
        }
    }
}
