package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.Database;
import dev.vigil.provisioning.DeviceRegistry;
import dev.vigil.provisioning.ManagementService;
import dev.vigil.provisioning.OperatorRegistry;
import dev.vigil.provisioning.PemFiles;
import dev.vigil.provisioning.TelemetryStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.elements.config.Configuration;

/**
 * A running Vigil node: the device endpoint (CoAPS, devices only) and the management endpoint
 * (CoAPS, operators only), over one registry.
 */
public final class VigilServer implements AutoCloseable {

    private final Database database;
    private final CoapServer devices;
    private final CoapServer management;
    private final DtlsServerEndpoint deviceEndpoint;
    private final DtlsServerEndpoint managementEndpoint;
    private final DeviceRegistry registry;

    private VigilServer(DataDir dir, Configuration config) throws IOException {
        KeyPair serverKey = PemFiles.readKeyPair(dir.serverKey());
        database = Database.openEmbedded(dir.root());
        try {
            registry = new DeviceRegistry(database);
            OperatorRegistry operators = new OperatorRegistry(database);
            TelemetryStore telemetry = new TelemetryStore(database);

            deviceEndpoint = DtlsEndpoints.server(config, "devices",
                    new InetSocketAddress(config.get(VigilConfig.COAPS_ADDRESS), config.get(VigilConfig.COAPS_PORT)),
                    serverKey, keyId -> registry.findByKeyId(keyId).filter(d -> d.isTrusted()).isPresent());
            devices = new CoapServer(config);
            devices.addEndpoint(deviceEndpoint.endpoint());
            devices.add(new TelemetryResource(registry, telemetry, config.get(VigilConfig.TELEMETRY_MAX_PAYLOAD)));

            managementEndpoint = DtlsEndpoints.server(config, "management",
                    new InetSocketAddress(config.get(VigilConfig.MGMT_ADDRESS), config.get(VigilConfig.MGMT_PORT)),
                    serverKey, keyId -> operators.findByKeyId(keyId).isPresent());
            management = new CoapServer(config);
            management.addEndpoint(managementEndpoint.endpoint());
            management.add(new ManagementResource(new ManagementService(registry, telemetry), operators));
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Starts a node on an initialised data directory.
     *
     * @param port device port, or null for the configured one (0 = any free port)
     * @param managementPort management port, or null for the configured one
     */
    public static VigilServer start(DataDir dir, Integer port, Integer managementPort) throws IOException {
        Configuration config = VigilConfig.load(dir);
        if (port != null) {
            config.set(VigilConfig.COAPS_PORT, port).setTransient(VigilConfig.COAPS_PORT);
        }
        if (managementPort != null) {
            config.set(VigilConfig.MGMT_PORT, managementPort).setTransient(VigilConfig.MGMT_PORT);
        }
        VigilServer server = new VigilServer(dir, config);
        try {
            server.devices.start();
            server.management.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public InetSocketAddress deviceAddress() {
        return deviceEndpoint.endpoint().getAddress();
    }

    public InetSocketAddress managementAddress() {
        return managementEndpoint.endpoint().getAddress();
    }

    /** The URI operators' CLI uses to reach this node's management endpoint. */
    public URI managementUri() {
        InetSocketAddress address = managementAddress();
        String host = address.getAddress().getHostAddress();
        return URI.create("coaps://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    @Override
    public void close() {
        if (devices != null) {
            devices.destroy();
        }
        if (management != null) {
            management.destroy();
        }
        database.close();
    }
}
