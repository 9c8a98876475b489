package dev.vigil.bench;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import dev.vigil.server.CoapsManagementClient;
import dev.vigil.server.VigilConfig;
import dev.vigil.server.VigilServer;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;

/** Data directories, server configuration, the bench policy profile, device registration. */
public final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A profile whose rate and volume limits never throttle a benchmark (applied with policy.apply). */
    public static final String BENCH_PROFILE = "bench";

    private Fixtures() {
    }

    /**
     * Vigil's defaults on loopback and free ports, with the CoAP exchange lifetime shortened so that the
     * exchange store (deduplication) does not fill the heap under load (CALIFORNIUM-NOTES: 247 s default).
     */
    public static Configuration serverConfig(int exchangeLifetimeSeconds) {
        Configuration config = VigilConfig.defaults();
        config.set(VigilConfig.COAPS_PORT, 0);
        config.set(VigilConfig.COAPS_ADDRESS, "127.0.0.1");
        config.set(VigilConfig.MGMT_PORT, 0);
        config.set(VigilConfig.MGMT_ADDRESS, "127.0.0.1");
        config.set(VigilConfig.METRICS_ADDRESS, "off");
        config.set(CoapConfig.EXCHANGE_LIFETIME, exchangeLifetimeSeconds, TimeUnit.SECONDS);
        config.set(CoapConfig.NON_LIFETIME, Math.min(exchangeLifetimeSeconds, 145), TimeUnit.SECONDS);
        config.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, Math.max(1, Math.min(10, exchangeLifetimeSeconds / 2)),
                TimeUnit.SECONDS);
        return config;
    }

    /** A fresh, initialised data directory under the run's scratch space. */
    public static DataDir dataDir(Ctx ctx, String name) throws IOException {
        return DataDir.init(ctx.scratch(name).resolve("data"));
    }

    public static KeyPair serverKey(DataDir dir) throws IOException {
        return PemFiles.readKeyPair(dir.serverKey());
    }

    /** The management client the {@code vigil} CLI would use, as the data directory's admin operator. */
    public static ManagementClient admin(DataDir dir, VigilServer server) throws IOException {
        return CoapsManagementClient.connect(new ManagementEndpoint(server.managementUri(),
                PemFiles.readKeyPair(dir.adminKey()), PemFiles.readPublicKey(dir.serverPublicKey())));
    }

    /**
     * Adds the {@value #BENCH_PROFILE} profile to the policy in force through the {@code policy.apply}
     * management operation: telemetry (SenML JSON/CBOR) at a rate no benchmark reaches.
     */
    public static int applyBenchPolicy(ManagementClient admin) throws ManagementException, IOException {
        JsonNode shown = admin.call("policy.show", JSON.createObjectNode());
        ObjectNode document = (ObjectNode) JSON.readTree(shown.get("document").asText());
        ObjectNode bench = JSON.createObjectNode();
        ObjectNode send = bench.putArray("send").addObject();
        send.put("resource", "t");
        send.putArray("methods").add("POST");
        send.putArray("formats").add(110).add(112);
        send.put("maxPayload", 4096);
        send.putObject("rate").put("perSecond", 1_000_000).put("burst", 1_000_000);
        send.put("dailyVolume", 1L << 40);
        bench.putArray("services").add("key-rotation");
        ((ObjectNode) document.get("profiles")).set(BENCH_PROFILE, bench);
        JsonNode applied = admin.call("policy.apply", JSON.createObjectNode().put("document", document.toString()));
        if (!applied.path("valid").asBoolean()) {
            throw new IllegalStateException("the bench policy was refused: " + applied);
        }
        return applied.path("version").asInt();
    }

    /** Registers ACTIVE devices {@code prefix-000000...} holding {@code keys}; returns their names. */
    public static List<String> addDevices(DeviceRegistry devices, List<KeyPair> keys, String prefix, String profile) {
        List<String> names = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            String name = String.format("%s-%06d", prefix, i);
            PublicKey key = keys.get(i).getPublic();
            devices.add(name, key, profile, Actor.system("bench"));
            names.add(name);
        }
        return names;
    }

    public static Path file(Ctx ctx, String name) {
        return ctx.scratch("files").resolve(name);
    }
}
