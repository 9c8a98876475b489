package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.DataDir;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSettingsTest {

    @TempDir
    Path dir;

    private DataDir data() throws Exception {
        DataDir data = new DataDir(Files.createDirectories(dir.resolve("data")));
        Files.write(data.root().resolve("cluster.key"), new byte[32]);
        Files.setPosixFilePermissions(data.root().resolve("cluster.key"), PosixFilePermissions.fromString("rw-------"));
        return data;
    }

    private static Configuration cluster(String address, String nodes) {
        Configuration config = VigilConfig.defaults();
        config.set(VigilConfig.NODE_ID, 1);
        config.set(VigilConfig.CLUSTER_ADDRESS, address);
        config.set(VigilConfig.CLUSTER_NODES, nodes);
        return config;
    }

    @Test
    void without_cluster_nodes_a_node_is_a_single_node() throws Exception {
        assertThat(ClusterSettings.of(VigilConfig.defaults(), data())).isNull();
    }

    @Test
    void one_node_list_serves_every_node_and_names_the_others() throws Exception {
        ClusterSettings settings = ClusterSettings.of(cluster("127.0.0.1:7001",
                "1=127.0.0.1:7001, 2=127.0.0.1:7002,3=10.0.0.3:7003"), data());

        assertThat(settings.nodeId()).isEqualTo(1);
        assertThat(settings.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 7001));
        assertThat(settings.others()).isEqualTo(Map.of(2, new InetSocketAddress("127.0.0.1", 7002),
                3, new InetSocketAddress("10.0.0.3", 7003)));
        assertThat(settings.key()).hasSize(32);
    }

    @Test
    void a_public_cluster_address_is_refused_in_one_line() throws Exception {
        DataDir data = data();
        assertThatThrownBy(() -> ClusterSettings.of(cluster("8.8.8.8:7001", "2=127.0.0.1:7002"), data))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("VIGIL.CLUSTER_ADDRESS: 8.8.8.8 is not a"
                        + " private or loopback address; the cluster port must not face the Internet");
        assertThatThrownBy(() -> ClusterSettings.of(cluster("127.0.0.1:7001", "2=1.1.1.1:7002"), data))
                .hasMessageStartingWith("VIGIL.CLUSTER_NODES: 1.1.1.1 is not a private or loopback address");
        assertThatThrownBy(() -> ClusterSettings.of(cluster("0.0.0.0:7001", "2=127.0.0.1:7002"), data))
                .hasMessageStartingWith("VIGIL.CLUSTER_ADDRESS: 0.0.0.0 is not a private");
    }

    @Test
    void malformed_node_lists_and_ids_are_refused_naming_the_entry() throws Exception {
        DataDir data = data();
        assertThatThrownBy(() -> ClusterSettings.of(cluster("127.0.0.1:7001", "2=127.0.0.1"), data))
                .hasMessage("VIGIL.CLUSTER_NODES: '127.0.0.1' is not host:port");
        assertThatThrownBy(() -> ClusterSettings.of(cluster("127.0.0.1:7001", "256=127.0.0.1:7002"), data))
                .hasMessage("VIGIL.CLUSTER_NODES: '256=127.0.0.1:7002' is not id=host:port with an id between 0 and 255");
        assertThatThrownBy(() -> ClusterSettings.of(cluster("127.0.0.1:7001", "2=127.0.0.1:7002,2=127.0.0.1:7003"),
                data)).hasMessage("VIGIL.CLUSTER_NODES: node 2 is listed twice");
        Configuration wrongNode = cluster("127.0.0.1:7001", "1=127.0.0.1:7009");
        assertThatThrownBy(() -> ClusterSettings.of(wrongNode, data))
                .hasMessage("VIGIL.CLUSTER_NODES: node 1 is this node, whose cluster address is 127.0.0.1:7001");
        Configuration badId = cluster("127.0.0.1:7001", "2=127.0.0.1:7002");
        badId.set(VigilConfig.NODE_ID, 300);
        assertThatThrownBy(() -> ClusterSettings.of(badId, data))
                .hasMessage("VIGIL.NODE_ID must be between 0 and 255, not 300");
    }

    @Test
    void the_cluster_key_must_exist_be_32_bytes_and_be_readable_by_its_owner_only() throws Exception {
        DataDir data = data();
        Path key = data.root().resolve("cluster.key");
        Configuration config = cluster("127.0.0.1:7001", "2=127.0.0.1:7002");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ClusterSettings.of(config, data)).hasMessageStartingWith(
                "VIGIL.CLUSTER_KEY_FILE: " + key + " is readable by others (mode rw-r--r--); it must be 0600");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.write(key, new byte[16]);
        assertThatThrownBy(() -> ClusterSettings.of(config, data))
                .hasMessageStartingWith("VIGIL.CLUSTER_KEY_FILE: " + key + " must hold exactly 32 bytes, not 16");

        Files.delete(key);
        assertThatThrownBy(() -> ClusterSettings.of(config, data)).hasMessage("VIGIL.CLUSTER_KEY_FILE: " + key
                + " does not exist (make it once with 'openssl rand -out cluster.key 32; chmod 600 cluster.key' and"
                + " copy it to every node)");
    }

    @Test
    void vigil_server_with_a_public_cluster_address_exits_with_one_line() throws Exception {
        DataDir data = DataDir.init(dir.resolve("node"));
        Files.writeString(data.config(), Files.readString(data.config())
                + "VIGIL.CLUSTER_NODES=2=127.0.0.1:7002\nVIGIL.CLUSTER_ADDRESS=203.0.113.7:7001\n");

        CliRun run = CliRun.vigil("server", "--data", data.root().toString(), "--port", "0", "--mgmt-port", "0");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err().strip()).isEqualTo("vigil server: VIGIL.CLUSTER_ADDRESS: 203.0.113.7 is not a private or"
                + " loopback address; the cluster port must not face the Internet");
    }
}
