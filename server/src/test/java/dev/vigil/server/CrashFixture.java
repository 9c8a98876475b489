package dev.vigil.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.KeyRotator;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/**
 * One initialised data directory with something in it for every crash scenario, made once and copied for each
 * case: devices with their state directories (a device to rotate, one to decommission, one that sends, one
 * imported and not yet seen, two for the load runs), a second admin operator, a one-time token with a device
 * key waiting to redeem it, a manifest not yet imported, an operator key not yet added, the next policy.
 */
record CrashFixture(Path root, Baseline baseline) {

    static final String ROTATING = "rot-1";
    static final String DOOMED = "dec-1";
    static final String SENDER = "tel-1";
    static final String PROVISIONED = "prov-1";
    static final String LOADED = "load-1";
    static final String TOGGLED = "sus-1";
    static final String ENROLLING = "enroll-1";
    static final String[] IMPORTED = {"imp-1", "imp-2", "imp-3"};
    static final String SECOND_ADMIN = "carol";
    static final String NEW_OPERATOR = "bob";
    static final String PROBE_PROFILE = "probe";

    /** Requests and rotations never wait this long: a crashed server's waiters are interrupted instead. */
    static final long TIMEOUT_MS = 60_000;

    /**
     * What a case's state is measured against: the template's last audit record and policy version, the token
     * waiting for {@link #ENROLLING}, and the key {@link #ROTATING} starts with.
     */
    record Baseline(long auditSeq, long policyVersion, String token, String rotatingKeyId) {
    }

    /** Makes the template in {@code root} (which must not exist yet). */
    static CrashFixture make(Path root) throws Exception {
        CrashFixture fixture = new CrashFixture(root, null);
        DataDir.init(root.resolve("data"));
        VigilTestServer node = VigilTestServer.reopen(root);
        try {
            for (String name : new String[] {ROTATING, DOOMED, SENDER, TOGGLED}) {
                node.addDevice(name, DeviceKeys.generate(fixture.state(name)).getPublic(), "sensor");
            }
            node.addDevice(LOADED, DeviceKeys.generate(fixture.state(LOADED)).getPublic(), "gateway");
            // a load generator posting back to back, or rotating its key in a loop, is to the trust engine a device
            // gone wrong: an operator vouches for these two, so the crash cases test crashes, not the trust engine
            for (String loaded : new String[] {LOADED, ROTATING}) {
                node.admin("device.trust.pin", VigilTestServer.args().put("name", loaded).put("tier", "TRUSTED"));
            }
            Path provisioned = root.resolve("provisioned.csv");
            writeManifest(provisioned, fixture, PROVISIONED);
            CliRun imported = CliRun.vigil("device", "import", provisioned.toString(), "--server",
                    node.managementUri().toString(), "--operator-key", node.dataDir().adminKey().toString(),
                    "--server-key", node.dataDir().serverPublicKey().toString());
            if (imported.exitCode() != 0) {
                throw new IllegalStateException("template import: " + imported.err());
            }
            writeManifest(fixture.manifest(), fixture, IMPORTED);
            DeviceKeys.generate(fixture.state(ENROLLING));

            KeyPair carol = PemFiles.generateP256();
            PemFiles.writeKeyPair(fixture.operatorKey(SECOND_ADMIN), carol);
            node.admin("operator.add", VigilTestServer.args().put("name", SECOND_ADMIN).put("role", "admin")
                    .put("publicKey", PemFiles.publicKeyPem(carol.getPublic())));
            KeyPair bob = PemFiles.generateP256();
            PemFiles.writeKeyPair(fixture.operatorKey(NEW_OPERATOR), bob);
            PemFiles.writePublicKey(fixture.operatorPublicKey(NEW_OPERATOR), bob.getPublic());

            String token = node.admin("token.create", VigilTestServer.args().put("profile", "sensor")
                    .put("ttlSeconds", 86_400)).path("token").asText();
            var policy = node.admin("policy.show", VigilTestServer.args());
            ObjectMapper json = new ObjectMapper();
            ObjectNode next = (ObjectNode) json.readTree(policy.path("document").asText());
            next.withObjectProperty("profiles").putObject(PROBE_PROFILE).put("approval", false)
                    .putArray("services").add("key-rotation");
            Files.writeString(fixture.originalPolicy(), policy.path("document").asText(), StandardCharsets.UTF_8);
            Files.writeString(fixture.nextPolicy(), json.writerWithDefaultPrettyPrinter().writeValueAsString(next),
                    StandardCharsets.UTF_8);
            long seq = node.admin("audit.tail", VigilTestServer.args().put("limit", 1)).path("entries").get(0)
                    .path("seq").asLong();
            return new CrashFixture(root, new Baseline(seq, policy.path("version").asLong(), token,
                    DeviceKeys.keyId(fixture.deviceKey(ROTATING).getPublic())));
        } finally {
            node.stopKeepingData();
        }
    }

    private static void writeManifest(Path file, CrashFixture fixture, String... names) throws IOException {
        StringBuilder csv = new StringBuilder("name,profile,key\n");
        for (String name : names) {
            KeyPair key = DeviceKeys.generate(fixture.state(name));
            csv.append(name).append(",sensor,").append(java.util.Base64.getEncoder()
                    .encodeToString(key.getPublic().getEncoded())).append('\n');
        }
        Files.writeString(file, csv, StandardCharsets.UTF_8);
    }

    /** A copy of this template at {@code target}. */
    CrashFixture copyTo(Path target) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.forEach(source -> {
                Path copy = target.resolve(root.relativize(source).toString());
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return new CrashFixture(target, baseline);
    }

    DataDir data() {
        return new DataDir(root.resolve("data"));
    }

    /** A device's state directory ({@code vigil-device --state}). */
    Path state(String device) {
        return root.resolve("devices").resolve(device);
    }

    KeyPair deviceKey(String device) {
        try {
            return DeviceKeys.load(state(device));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PublicKey serverKey() {
        try {
            return PemFiles.readPublicKey(data().serverPublicKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DTLS client with the device's current key file, pinning the server's key. */
    DeviceClient client(String device, URI devices) {
        return new DeviceClient(devices, deviceKey(device), serverKey()).timeout(TIMEOUT_MS);
    }

    KeyRotator rotator(String device, URI devices) {
        return new KeyRotator(state(device), devices, serverKey(), TIMEOUT_MS);
    }

    /** One SenML batch: {@code seq} = n and {@code half} = n + 0.5, stored together or not at all. */
    static byte[] batch(int n) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("seq", (double) n);
        values.put("half", n + 0.5);
        return SenmlCbor.encode(values);
    }

    /** Sends batches 1..count over one session, noting each acknowledged one; stops at the first that is not. */
    String sendBatches(String device, URI devices, int count, Acknowledged acked) {
        try (DeviceClient client = client(device, devices)) {
            for (int n = 1; n <= count; n++) {
                DeviceClient.Outcome outcome = client.sendTelemetry(batch(n));
                if (outcome.code() != ResponseCode.CHANGED) {
                    return "batch " + n + ": " + outcome;
                }
                acked.add(device, n);
            }
        }
        return count + " batches acknowledged";
    }

    /** {@code vigil-device COMMAND --state DIR --server URI --server-key FILE ARGS...} for one device. */
    DeviceCliRun vigilDevice(String command, String device, URI devices, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--state", state(device).toString(), "--server",
                devices.toString(), "--server-key", data().serverPublicKey().toString(), "--timeout", "30"));
        all.addAll(List.of(args));
        return DeviceCliRun.vigilDevice(all.toArray(String[]::new));
    }

    Path manifest() {
        return root.resolve("manifest.csv");
    }

    Path nextPolicy() {
        return root.resolve("policy-next.json");
    }

    /** The policy in force in the template. */
    Path originalPolicy() {
        return root.resolve("policy-original.json");
    }

    Path operatorKey(String name) {
        return root.resolve("operator-" + name + ".pem");
    }

    Path operatorPublicKey(String name) {
        return root.resolve("operator-" + name + ".pub.pem");
    }
}
