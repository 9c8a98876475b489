package dev.vigil.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP relay between one client and a server that swallows every DTLS alert record the server sends
 * (content type 21), so the client never hears a close_notify: a peer that ignores it, as far as the
 * server can tell.
 */
final class AlertDroppingRelay implements AutoCloseable {

    private static final int ALERT = 21;

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final InetSocketAddress server;
    private volatile InetSocketAddress client;
    final AtomicInteger alertsDropped = new AtomicInteger();

    AlertDroppingRelay(InetSocketAddress server) throws SocketException {
        this.server = server;
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("relay-up", front, true);
        start("relay-down", back, false);
    }

    int port() {
        return front.getLocalPort();
    }

    private void start(String name, DatagramSocket from, boolean upstream) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[2048];
            while (!from.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    from.receive(packet);
                    if (upstream) {
                        client = (InetSocketAddress) packet.getSocketAddress();
                        back.send(new DatagramPacket(packet.getData(), packet.getLength(), server));
                    } else if (packet.getLength() > 0 && (packet.getData()[0] & 0xff) == ALERT) {
                        alertsDropped.incrementAndGet();
                    } else if (client != null) {
                        front.send(new DatagramPacket(packet.getData(), packet.getLength(), client));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
