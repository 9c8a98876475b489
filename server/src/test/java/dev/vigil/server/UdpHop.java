package dev.vigil.server;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP hop between one DTLS client and the server, for tests: the client sends to {@link #port()}; the hop
 * forwards each datagram from its own socket (bound to {@code upstreamHost}, so the server may see another
 * source address than the client's) and brings the answers back. It can be hostile: flip the last byte of the
 * client's encrypted DTLS records (application data, or any record with a Connection ID) while {@link #tampering} is on, and send the last one again
 * ({@link #replayLastApplicationRecord}).
 */
final class UdpHop implements AutoCloseable {

    /** DTLS record content type of application data (RFC 6347 §4.1). */
    private static final int APPLICATION_DATA = 23;
    /** Content type of a record carrying the server's Connection ID (RFC 9146 §4); its real type is encrypted. */
    private static final int TLS12_CID = 25;

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final InetSocketAddress server;
    private volatile SocketAddress client;
    private volatile boolean tampering;
    private volatile byte[] lastApplicationRecord;
    private final AtomicInteger tampered = new AtomicInteger();
    private final AtomicInteger answers = new AtomicInteger();

    UdpHop(InetSocketAddress server, String upstreamHost) throws IOException {
        this.server = server;
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(upstreamHost), 0));
        Thread up = new Thread(this::up, "hop-up");
        Thread down = new Thread(this::down, "hop-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    int port() {
        return front.getLocalPort();
    }

    void tampering(boolean on) {
        tampering = on;
    }

    /** Application records the hop altered so far. */
    int tampered() {
        return tampered.get();
    }

    /** Datagrams the server sent back so far. */
    int answers() {
        return answers.get();
    }

    /** Sends the client's last application-data datagram to the server again, unchanged. */
    void replayLastApplicationRecord() throws IOException {
        byte[] record = lastApplicationRecord;
        if (record == null) {
            throw new IllegalStateException("no application record seen yet");
        }
        back.send(new DatagramPacket(record, record.length, server));
    }

    private void up() {
        byte[] buffer = new byte[65_535];
        while (!front.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                front.receive(packet);
                client = packet.getSocketAddress();
                byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
                if (data.length > 13 && (data[0] == APPLICATION_DATA || data[0] == TLS12_CID)) {
                    if (tampering) {
                        data[data.length - 1] ^= 0x01; // in the MAC (CCM_8) or tag (GCM): the record no longer verifies
                        tampered.incrementAndGet();
                    } else {
                        lastApplicationRecord = data.clone();
                    }
                }
                back.send(new DatagramPacket(data, data.length, server));
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void down() {
        byte[] buffer = new byte[65_535];
        while (!back.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                back.receive(packet);
                answers.incrementAndGet();
                SocketAddress to = client;
                if (to != null) {
                    front.send(new DatagramPacket(packet.getData(), packet.getLength(), to));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        front.close();
        back.close();
    }
}
