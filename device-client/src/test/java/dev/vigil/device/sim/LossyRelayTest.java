package dev.vigil.device.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's relay against a UDP echo server on loopback: what it drops, both ways, and what it counts. */
class LossyRelayTest {

    private DatagramSocket echo;
    private Thread echoing;

    @BeforeEach
    void startEcho() throws Exception {
        echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        echoing = new Thread(() -> {
            byte[] buffer = new byte[2048];
            while (!echo.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    echo.receive(packet);
                    echo.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        echoing.start();
    }

    @AfterEach
    void stopEcho() throws Exception {
        echo.close();
        echoing.join();
    }

    /** Sends {@code n} datagrams one at a time through the relay; returns how many echoes came back. */
    private static int pingPong(LossyRelay relay, DatagramSocket device, int n) throws Exception {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.port());
        int answered = 0;
        for (int i = 0; i < n; i++) {
            byte[] body = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
            device.send(new DatagramPacket(body, body.length, to));
            DatagramPacket answer = new DatagramPacket(new byte[64], 64);
            try {
                device.receive(answer);
                assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII))
                        .isEqualTo("ping " + i);
                answered++;
            } catch (SocketTimeoutException lost) {
                // dropped on the way up or down
            }
        }
        return answered;
    }

    private DatagramSocket device() throws Exception {
        DatagramSocket device = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        device.setSoTimeout(200);
        return device;
    }

    @Test
    void without_loss_every_datagram_goes_both_ways() throws Exception {
        try (LossyRelay relay = new LossyRelay((InetSocketAddress) echo.getLocalSocketAddress(), 0, 1);
                DatagramSocket device = device()) {
            assertThat(pingPong(relay, device, 50)).isEqualTo(50);
            assertThat(relay.datagramsUp()).isEqualTo(50);
            assertThat(relay.datagramsDown()).isEqualTo(50);
            assertThat(relay.droppedUp() + relay.droppedDown()).isZero();
        }
    }

    @Test
    void total_loss_drops_everything_on_the_way_up() throws Exception {
        try (LossyRelay relay = new LossyRelay((InetSocketAddress) echo.getLocalSocketAddress(), 1, 1);
                DatagramSocket device = device()) {
            assertThat(pingPong(relay, device, 5)).isZero();
            assertThat(relay.droppedUp()).isEqualTo(5);
            assertThat(relay.datagramsUp()).isZero();
        }
    }

    @Test
    void twenty_percent_loss_drops_both_ways_and_every_datagram_is_counted_once() throws Exception {
        try (LossyRelay relay = new LossyRelay((InetSocketAddress) echo.getLocalSocketAddress(), 0.2, 42);
                DatagramSocket device = device()) {
            int answered = pingPong(relay, device, 100);
            assertThat(relay.datagramsUp() + relay.droppedUp()).isEqualTo(100);
            assertThat(relay.datagramsDown() + relay.droppedDown()).isEqualTo(relay.datagramsUp());
            assertThat(relay.datagramsDown()).isEqualTo(answered);
            assertThat(relay.droppedUp()).isPositive();
            assertThat(relay.droppedDown()).isPositive();
            assertThat(answered).isBetween(50, 80); // 0.8 × 0.8 = 64 % expected; seeded, so always the same
        }
    }

    @Test
    void answers_go_back_to_the_device_that_sent() throws Exception {
        try (LossyRelay relay = new LossyRelay((InetSocketAddress) echo.getLocalSocketAddress(), 0, 1);
                DatagramSocket one = device(); DatagramSocket two = device()) {
            assertThat(pingPong(relay, one, 3)).isEqualTo(3);
            assertThat(pingPong(relay, two, 3)).isEqualTo(3);
        }
    }

    @Test
    void a_loss_outside_zero_to_one_is_refused() {
        assertThatThrownBy(() -> new LossyRelay((InetSocketAddress) echo.getLocalSocketAddress(), 1.2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 0 to 1");
    }

    @Test
    void past_its_peer_limit_the_relay_closes_the_least_recently_heard_peers_socket_and_keeps_relaying()
            throws Exception {
        try (LossyRelay relay = new LossyRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (InetSocketAddress) echo.getLocalSocketAddress(), 0, 1, 2);
                DatagramSocket a = device(); DatagramSocket b = device(); DatagramSocket c = device()) {
            assertThat(pingPong(relay, a, 1)).isEqualTo(1);
            assertThat(pingPong(relay, b, 1)).isEqualTo(1);
            assertThat(pingPong(relay, c, 1)).as("a third peer: a's socket goes").isEqualTo(1);
            assertThat(relay.evicted()).isEqualTo(1);
            assertThat(pingPong(relay, a, 1)).as("a again: a new socket (b's goes)").isEqualTo(1);
            assertThat(relay.evicted()).isEqualTo(2);
        }
    }
}
