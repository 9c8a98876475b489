package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.DatabaseSettings;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Real Vigil nodes on 127.0.0.1 forming one DTLS cluster: node ids 1..n, internal cluster ports on loopback,
 * one cluster key (0600), one server key (devices pin one key for the whole cluster). Each node has its own H2
 * registry (a device is then added to every node), or all share one PostgreSQL registry (a device is added once;
 * the change feed carries every change to every node).
 */
final class TestCluster implements AutoCloseable {

    private final Path root;
    private final List<VigilTestServer> nodes = new ArrayList<>();
    private final boolean shared;
    private final java.util.Set<Integer> lost = new java.util.HashSet<>();

    TestCluster(int size) throws IOException {
        this(size, config -> { });
    }

    /** As above, after {@code settings} changed every node's configuration (e.g. a benchmark's exchange lifetime). */
    TestCluster(int size, java.util.function.Consumer<org.eclipse.californium.elements.config.Configuration> settings)
            throws IOException {
        this(size, null, settings);
    }

    /**
     * As above; with {@code registry} (a PostgreSQL database) the nodes share it: the first node initialises it, the
     * others join with its server and audit keys, and the admin key is copied to every node for the test's use.
     */
    TestCluster(int size, DatabaseSettings registry,
            java.util.function.Consumer<org.eclipse.californium.elements.config.Configuration> settings)
            throws IOException {
        this.shared = registry != null;
        root = Files.createTempDirectory("vigil-cluster");
        Path key = root.resolve("cluster.key");
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(key, new java.security.SecureRandom().generateSeed(32));
        List<Integer> ports = freeUdpPorts(size);
        String list = IntStream.range(0, size).mapToObj(i -> (i + 1) + "=127.0.0.1:" + ports.get(i))
                .collect(Collectors.joining(","));
        DataDir first = null;
        for (int i = 0; i < size; i++) {
            Path nodeRoot = Files.createDirectory(root.resolve("node" + (i + 1)));
            DataDir dir;
            if (registry != null) {
                dir = DataDir.init(nodeRoot.resolve("data"), registry, Map.of(),
                        first == null ? null : new DataDir.NodeKeys(first.serverKey(), first.auditKey()));
                if (first != null) {
                    Files.copy(first.adminKey(), dir.adminKey());
                }
            } else {
                dir = DataDir.init(nodeRoot.resolve("data"));
            }
            if (first == null) {
                first = dir;
            } else if (registry == null) {
                Files.copy(first.serverKey(), dir.serverKey(), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(first.serverPublicKey(), dir.serverPublicKey(), StandardCopyOption.REPLACE_EXISTING);
            }
            int id = i + 1;
            int port = ports.get(i);
            nodes.add(VigilTestServer.startOn(nodeRoot, dir, config -> {
                config.set(VigilConfig.NODE_ID, id);
                config.set(VigilConfig.NODE_NAME, "node-" + id);
                config.set(VigilConfig.CLUSTER_ADDRESS, "127.0.0.1:" + port);
                config.set(VigilConfig.CLUSTER_NODES, list);
                config.set(VigilConfig.CLUSTER_KEY_FILE, key.toString());
                settings.accept(config);
            }));
        }
    }

    private static List<Integer> freeUdpPorts(int count) throws IOException {
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
            }
            return sockets.stream().map(DatagramSocket::getLocalPort).toList();
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    int size() {
        return nodes.size();
    }

    VigilTestServer node(int index) {
        return nodes.get(index);
    }

    /** The nodes' device ports, in node order (what a balancer spreads over). */
    List<InetSocketAddress> devicePorts() {
        return nodes.stream().map(node -> node.node().deviceAddress()).toList();
    }

    /** Registers the device (once on a shared registry, else on every node) and returns its key pair. */
    KeyPair addDevice(String name, String profile) throws Exception {
        KeyPair key = dev.vigil.provisioning.keys.PemFiles.generateP256();
        for (VigilTestServer node : shared ? nodes.subList(0, 1) : nodes) {
            node.addDevice(name, key.getPublic(), profile);
        }
        return key;
    }

    /** Takes node {@code index} out of the cluster for good (its process gone; it is not restarted). */
    void lose(int index) throws IOException {
        if (lost.add(index)) {
            nodes.get(index).close();
        }
    }

    @Override
    public void close() throws IOException {
        for (int i = 0; i < nodes.size(); i++) {
            if (lost.add(i)) {
                nodes.get(i).close();
            }
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
