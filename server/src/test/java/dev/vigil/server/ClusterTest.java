package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes behind a 5-tuple UDP balancer: a device's session lives on the node that made it, wherever its flow goes. */
class ClusterTest {

    private TestCluster cluster;
    private UdpBalancer balancer;

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster(2);
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        cluster.close();
    }

    private static byte[] reading(double value) {
        return SenmlCbor.encode(Map.of("temp", value));
    }

    @Test
    void a_device_whose_flow_moves_to_another_node_keeps_its_session_through_cid_forwarding() throws Exception {
        balancer = new UdpBalancer(cluster.devicePorts());
        KeyPair key = cluster.addDevice("roamer", "sensor");
        URI viaBalancer = URI.create("coaps://127.0.0.1:" + balancer.address().getPort());
        try (DeviceClient device = new DeviceClient(viaBalancer, key, cluster.node(0).serverPublicKey()).timeout(10_000)) {
            assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
            InetSocketAddress flow = balancer.clients().get(0);
            int home = balancer.nodeOf(flow);
            int other = 1 - home;
            assertThat(cluster.node(home).node().fullDeviceHandshakes()).isEqualTo(1);

            balancer.move(flow, other);
            for (int i = 2; i <= 4; i++) {
                assertThat(device.sendTelemetry(reading(i)).code()).isEqualTo(ResponseCode.CHANGED);
            }

            assertThat(device.traffic().fullHandshakes()).isEqualTo(1);
            assertThat(device.traffic().resumedHandshakes()).isZero();
            assertThat(cluster.node(home).node().fullDeviceHandshakes()).isEqualTo(1);
            assertThat(cluster.node(other).node().fullDeviceHandshakes()).isZero();
            // served by the node holding the session: all four readings are in its registry, none in the other's
            assertThat(cluster.node(home).readings("roamer")).hasSize(4);
            assertThat(cluster.node(other).readings("roamer")).isEmpty();
        }
    }

    @Test
    void a_node_without_the_cluster_key_neither_forwards_nor_receives_forwarded_records() throws Exception {
        java.nio.file.Path otherKey = cluster.node(1).scratch("keys").resolve("other-cluster.key");
        java.nio.file.Files.createFile(otherKey, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.write(otherKey, new java.security.SecureRandom().generateSeed(32));
        cluster.node(1).restart(config -> config.set(VigilConfig.CLUSTER_KEY_FILE, otherKey.toString()));
        balancer = new UdpBalancer(cluster.devicePorts());
        KeyPair key = cluster.addDevice("roamer", "sensor");
        URI viaBalancer = URI.create("coaps://127.0.0.1:" + balancer.address().getPort());
        try (DeviceClient device = new DeviceClient(viaBalancer, key, cluster.node(0).serverPublicKey()).timeout(10_000)) {
            assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
            InetSocketAddress flow = balancer.clients().get(0);
            int home = balancer.nodeOf(flow);

            balancer.move(flow, 1 - home);
            assertThat(device.timeout(3_000).sendTelemetry(reading(2)).code()).isNull(); // no answer: not forwarded

            balancer.move(flow, home);
            assertThat(device.timeout(10_000).sendTelemetry(reading(3)).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.traffic().fullHandshakes()).isEqualTo(1);
            assertThat(cluster.node(home).readings("roamer")).hasSize(2);
            assertThat(cluster.node(1 - home).readings("roamer")).isEmpty();
        }
    }

    @Test
    void a_clean_restart_of_the_node_holding_a_session_costs_its_forwarded_device_no_handshake() throws Exception {
        balancer = new UdpBalancer(cluster.devicePorts());
        KeyPair key = cluster.addDevice("roamer", "sensor");
        URI viaBalancer = URI.create("coaps://127.0.0.1:" + balancer.address().getPort());
        try (DeviceClient device = new DeviceClient(viaBalancer, key, cluster.node(0).serverPublicKey()).timeout(10_000)) {
            assertThat(device.sendTelemetry(reading(1)).code()).isEqualTo(ResponseCode.CHANGED);
            InetSocketAddress flow = balancer.clients().get(0);
            int home = balancer.nodeOf(flow);
            balancer.move(flow, 1 - home);
            int port = cluster.node(home).node().deviceAddress().getPort();

            cluster.node(home).restart(config -> config.set(VigilConfig.COAPS_PORT, port));

            // the first record may come before the links to the restarted node stand: CoAP retransmits it
            assertThat(device.sendTelemetry(reading(2)).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.traffic().fullHandshakes()).isEqualTo(1);
            assertThat(device.traffic().resumedHandshakes()).isZero();
            assertThat(cluster.node(home).node().fullDeviceHandshakes()).isZero();
            assertThat(cluster.node(1 - home).node().fullDeviceHandshakes()).isZero();
            assertThat(cluster.node(home).readings("roamer")).hasSize(2);
        }
    }
}
