package dev.vigil.server;

import dev.vigil.provisioning.cluster.NodeDirectory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import org.eclipse.californium.elements.config.Configuration;

/** How this node names itself among the nodes of one registry ({@code vigil status}, its security events). */
final class ThisNode {

    private ThisNode() {
    }

    /** {@code VIGIL.NODE_NAME}, or this host's name and the device port. */
    static NodeDirectory.Node self(Configuration config, InetSocketAddress devices, Clock clock) {
        String configured = config.get(VigilConfig.NODE_NAME).strip();
        String id = configured.isEmpty() ? hostName() + ":" + devices.getPort() : configured;
        String host = devices.getAddress().getHostAddress();
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + devices.getPort();
        return new NodeDirectory.Node(clip(id, 64), address, clock.instant(), clock.instant(), 0, 0);
    }

    /**
     * Whose security events a row of the registry is: {@code VIGIL.NODE_NAME}, or this host's name and a digest
     * of the data directory's path — the same across restarts (a device port may be chosen at random), distinct
     * for two nodes on one host.
     */
    static String eventsKey(Configuration config, java.nio.file.Path dataDir) {
        String configured = config.get(VigilConfig.NODE_NAME).strip();
        if (!configured.isEmpty()) {
            return clip(configured, 64);
        }
        String host = hostName();
        byte[] path = dataDir.toAbsolutePath().normalize().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(path);
            return clip(host, 47) + "#" + java.util.HexFormat.of().formatHex(digest, 0, 8); // 64 at most
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
