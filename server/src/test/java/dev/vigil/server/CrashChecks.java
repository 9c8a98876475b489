package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceKeys;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

/**
 * What every crash must leave intact, checked on the restarted node: through its management endpoint, and
 * through the real {@code vigil} CLI where an operator would look.
 */
final class CrashChecks {

    private final VigilTestServer node;
    private final CrashFixture fixture;

    CrashChecks(VigilTestServer node, CrashFixture fixture) {
        this.node = node;
        this.fixture = fixture;
    }

    /** {@code vigil COMMAND...} as the admin operator of the restarted node. */
    CliRun vigil(String... command) {
        return as(node.dataDir().adminKey(), command);
    }

    /** {@code vigil COMMAND...} with another operator's key. */
    CliRun as(Path operatorKey, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--server", node.managementUri().toString(), "--operator-key", operatorKey.toString(),
                "--server-key", node.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(args.toArray(String[]::new));
    }

    /** {@code vigil audit verify}: exit 0, chain intact. */
    void auditVerifies() {
        CliRun verify = vigil("audit", "verify");
        assertThat(verify.exitCode()).as("vigil audit verify: %s%s", verify.out(), verify.err()).isZero();
        assertThat(verify.out()).startsWith("audit log intact");
    }

    /**
     * Every device holds exactly one ACTIVE key (and at most one PENDING_ROTATION), or none at all once
     * DECOMMISSIONED.
     */
    void oneActiveKeyPerDevice() throws ManagementException {
        for (JsonNode device : node.admin("device.list", VigilTestServer.args()).path("devices")) {
            String name = device.path("name").asText();
            List<String> states = keyStates(name);
            long active = states.stream().filter("ACTIVE"::equals).count();
            long pending = states.stream().filter("PENDING_ROTATION"::equals).count();
            if ("DECOMMISSIONED".equals(device.path("state").asText())) {
                assertThat(active + pending).as("live keys of decommissioned %s: %s", name, states).isZero();
            } else {
                assertThat(active).as("ACTIVE keys of %s (%s): %s", name, device.path("state").asText(), states)
                        .isEqualTo(1);
                assertThat(pending).as("PENDING_ROTATION keys of %s: %s", name, states).isLessThanOrEqualTo(1);
            }
        }
    }

    /**
     * The admin can still govern: applies the policy in force plus a profile named after the probe (the same document
     * again would be no new version and skip the checks), adds an operator and removes it — the three operations
     * {@code Governance} guards.
     */
    void adminCanStillGovern(String probe) throws Exception {
        Path policy = fixture.root().resolve("policy-in-force-" + probe + ".json");
        var document = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(node.admin("policy.show", VigilTestServer.args()).path("document").asText());
        ((com.fasterxml.jackson.databind.node.ObjectNode) document.get("profiles")).putObject(probe)
                .putArray("services").add("key-rotation");
        Files.writeString(policy, document.toString(), StandardCharsets.UTF_8);
        Path key = fixture.root().resolve("operator-" + probe + ".pub.pem");
        PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
        for (String[] command : new String[][] {{"policy", "apply", policy.toString()},
            {"operator", "add", probe, "--key", key.toString(), "--role", "auditor"}, {"operator", "remove", probe}}) {
            CliRun run = vigil(command);
            assertThat(run.exitCode()).as("vigil %s: %s", String.join(" ", command), run.err()).isZero();
        }
    }

    /** The actions of the audit records after {@code seq}, oldest first. */
    List<String> actionsAfter(long seq) throws ManagementException {
        return records(seq).stream().map(e -> e.path("action").asText()).toList();
    }

    /** The audit records after {@code seq}, oldest first. */
    List<JsonNode> records(long seq) throws ManagementException {
        JsonNode entries = node.admin("audit.tail", VigilTestServer.args().put("after", seq).put("limit", 1000))
                .path("entries");
        return StreamSupport.stream(entries.spliterator(), false).toList();
    }

    JsonNode show(String device) throws ManagementException {
        return node.admin("device.show", VigilTestServer.args().put("name", device));
    }

    String state(String device) throws ManagementException {
        return show(device).path("state").asText();
    }

    List<String> keyStates(String device) throws ManagementException {
        return show(device).path("keys").findValuesAsText("state");
    }

    /** The key id of the device's ACTIVE key (null if it has none). */
    String activeKey(String device) throws ManagementException {
        for (JsonNode key : show(device).path("keys")) {
            if ("ACTIVE".equals(key.path("state").asText())) {
                return key.path("keyId").asText();
            }
        }
        return null;
    }

    /** Whether any device is registered with this key id. */
    boolean deviceHolds(String keyId) throws ManagementException {
        for (JsonNode device : node.admin("device.list", VigilTestServer.args()).path("devices")) {
            if (keyId.equals(device.path("keyId").asText())) {
                return true;
            }
        }
        return false;
    }

    boolean deviceExists(String name) throws ManagementException {
        return node.admin("device.list", VigilTestServer.args()).path("devices").findValuesAsText("name")
                .contains(name);
    }

    Set<String> operators() throws ManagementException {
        return new TreeSet<>(node.admin("operator.list", VigilTestServer.args()).path("operators")
                .findValuesAsText("name"));
    }

    long policyVersion() throws ManagementException {
        return node.admin("policy.show", VigilTestServer.args()).path("version").asLong();
    }

    /**
     * The batches ({@link CrashFixture#batch}) stored for a device, checking each is there whole: both of its
     * readings or neither.
     */
    Set<Integer> storedBatches(String device) throws ManagementException {
        Map<Integer, Integer> parts = new TreeMap<>();
        JsonNode readings = node.admin("telemetry.tail", VigilTestServer.args().put("device", device)
                .put("limit", 1000)).path("readings");
        for (JsonNode reading : readings) {
            double value = reading.path("v").asDouble();
            int batch = (int) Math.floor(value);
            if ("seq".equals(reading.path("name").asText()) || "half".equals(reading.path("name").asText())) {
                parts.merge(batch, 1, Integer::sum);
            }
        }
        parts.forEach((batch, count) -> assertThat(count).as("readings of batch %d of %s", batch, device).isEqualTo(2));
        return parts.keySet();
    }

    /** Every batch acknowledged with 2.04 before the crash is stored, whole. */
    void acknowledgedBatchesPresent(String device, Collection<Integer> acknowledged) throws ManagementException {
        if (!acknowledged.isEmpty()) {
            assertThat(storedBatches(device)).as("batches of %s acknowledged before the crash", device)
                    .containsAll(acknowledged);
        }
    }

    /** {@code vigil-device COMMAND} for one device, against the restarted node. */
    DeviceCliRun vigilDevice(String command, String device, String... args) {
        return fixture.vigilDevice(command, device, node.deviceUri(), args);
    }

    /** {@code vigil-device send} with the files in the device's state directory (whatever a crash left): exit 0. */
    void deviceSends(String device) {
        DeviceCliRun send = vigilDevice("send", device, "--value", "x=1");
        assertThat(send.exitCode()).as("vigil-device send of %s: %s%s", device, send.out(), send.err()).isZero();
    }

    /** The device's files agree: {@code device.pub.pem} is the public half of {@code device-key.pem}, no next key. */
    void deviceFilesAgree(String device) throws Exception {
        Path state = fixture.state(device);
        assertThat(DeviceKeys.readPublicKey(state.resolve(DeviceKeys.PUBLIC_FILE)))
                .as("%s of %s", DeviceKeys.PUBLIC_FILE, device).isEqualTo(DeviceKeys.load(state).getPublic());
        assertThat(state.resolve(DeviceKeys.NEXT_KEY_FILE)).as("a rotation left unfinished").doesNotExist();
    }
}
