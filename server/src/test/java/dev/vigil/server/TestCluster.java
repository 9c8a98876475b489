package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Real Vigil nodes on 127.0.0.1 forming one DTLS cluster: node ids 1..n, internal cluster ports on loopback,
 * one cluster key (0600), one server key (devices pin one key for the whole cluster), and each node its own
 * H2 registry — a device is added to every node (the shared PostgreSQL registry is another part of the work).
 */
final class TestCluster implements AutoCloseable {

    private final Path root;
    private final List<VigilTestServer> nodes = new ArrayList<>();

    TestCluster(int size) throws IOException {
        this(size, config -> { });
    }

    /** As above, after {@code settings} changed every node's configuration (e.g. a benchmark's exchange lifetime). */
    TestCluster(int size, java.util.function.Consumer<org.eclipse.californium.elements.config.Configuration> settings)
            throws IOException {
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
            DataDir dir = DataDir.init(nodeRoot.resolve("data"));
            if (first == null) {
                first = dir;
            } else {
                Files.copy(first.serverKey(), dir.serverKey(), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(first.serverPublicKey(), dir.serverPublicKey(), StandardCopyOption.REPLACE_EXISTING);
            }
            int id = i + 1;
            int port = ports.get(i);
            nodes.add(VigilTestServer.reopen(nodeRoot, config -> {
                config.set(VigilConfig.NODE_ID, id);
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

    /** Registers the device on every node and returns its key pair. */
    KeyPair addDevice(String name, String profile) throws Exception {
        KeyPair key = dev.vigil.provisioning.PemFiles.generateP256();
        for (VigilTestServer node : nodes) {
            node.addDevice(name, key.getPublic(), profile);
        }
        return key;
    }

    @Override
    public void close() throws IOException {
        for (VigilTestServer node : nodes) {
            node.close();
        }
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
