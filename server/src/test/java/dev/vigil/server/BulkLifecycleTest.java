package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.audit.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bulk, idempotent lifecycle forms ({@code vigil device suspend a b c | --selector | --stdin}), {@code vigil
 * whoami}, {@code vigil token list|revoke} and an unchanged policy applied again, in-process against a real node.
 */
class BulkLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VigilTestServer server;
    private final List<KeyPair> keys = new ArrayList<>();

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String[] withConnection(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.managementUri().toString(),
                "--operator-key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()));
        return all.toArray(String[]::new);
    }

    private CliRun vigil(String... args) {
        return CliRun.vigil(withConnection(args));
    }

    private CliRun ok(String... args) {
        CliRun run = vigil(args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    /** Adds devices straight into the registry (fast), keeping their keys. */
    private void devices(String prefix, int count, String profile) throws Exception {
        for (int i = 0; i < count; i++) {
            KeyPair key = PemFiles.generateP256();
            keys.add(key);
            server.node().registry().devices().add(prefix + i, key.getPublic(), profile, Actor.system("test"));
        }
    }

    private String state(String name) throws Exception {
        return server.admin("device.show", VigilTestServer.args().put("name", name)).path("state").asText();
    }

    private long audited(String action) {
        return server.node().registry().audit().tail(10_000).stream().map(AuditLog.Entry::action)
                .filter(action::equals).count();
    }

    private static byte[] reading() {
        return SenmlCbor.encode(Map.of("temp", 20.0));
    }

    @Test
    void one_selector_command_suspends_100_devices_in_one_request_audits_each_and_cuts_their_sessions()
            throws Exception {
        devices("s", 100, "sensor");
        devices("a", 3, "actuator");
        List<DeviceClient> live = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                DeviceClient client = new DeviceClient(server.deviceUri(), keys.get(i), server.serverPublicKey())
                        .timeout(5_000);
                live.add(client);
                assertThat(client.sendTelemetry(reading()).code()).isEqualTo(ResponseCode.CHANGED);
            }
            long before = audited("device.suspend");

            CliRun run = ok("device", "suspend", "--selector", "profile=sensor,state=ACTIVE");

            assertThat(run.out().lines()).hasSize(101).contains("s7: ACTIVE -> SUSPENDED")
                    .last().isEqualTo("suspend: 100 devices, 100 changed, 0 unchanged");
            assertThat(audited("device.suspend") - before).isEqualTo(100);
            assertThat(state("s99")).isEqualTo("SUSPENDED");
            assertThat(state("a0")).isEqualTo("ACTIVE"); // another profile: not selected
            for (DeviceClient client : live) {
                DeviceClient.Outcome outcome = client.sendTelemetry(reading());
                assertThat(outcome.isSuccess()).isFalse();
            }
        } finally {
            for (DeviceClient client : live) {
                client.close();
            }
        }
        // the same again: every device already there, nothing audited, exit 0
        CliRun again = ok("device", "suspend", "--selector", "profile=sensor", "--json");
        JsonNode result = JSON.readTree(again.out());
        assertThat(result.path("changed").asInt()).isZero();
        assertThat(result.path("unchanged").asInt()).isEqualTo(100);
        assertThat(audited("device.suspend")).isEqualTo(100);
    }

    @Test
    void names_on_stdin_and_as_arguments_are_idempotent() throws Exception {
        devices("d", 5, "sensor");
        ok("device", "suspend", "d1");
        CliRun run = CliRun.vigilWithStdin("d0\nd1\n\n  d2  \n", withConnection("device", "suspend", "--stdin"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("d0: ACTIVE -> SUSPENDED\nd1: already SUSPENDED\nd2: ACTIVE -> SUSPENDED\n"
                + "suspend: 3 devices, 2 changed, 1 unchanged\n");
        assertThat(ok("device", "suspend", "d1").out()).isEqualTo("d1: already SUSPENDED\n");
        assertThat(ok("device", "reinstate", "d0", "d1", "d3").out()).contains("d0: SUSPENDED -> ACTIVE")
                .contains("d3: already ACTIVE").contains("reinstate: 3 devices, 2 changed, 1 unchanged");
        assertThat(audited("device.suspend")).isEqualTo(3);
    }

    @Test
    void an_unknown_or_illegal_name_refuses_the_whole_batch_and_changes_nothing() throws Exception {
        devices("u", 3, "sensor");
        long audit = server.node().registry().audit().tail(10_000).size();

        CliRun unknown = vigil("device", "suspend", "u0", "nope", "u1", "ghost");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.errLines()).containsExactly(
                "vigil device suspend: no device named ghost, nope; nothing changed");

        ok("device", "decommission", "u2");
        CliRun illegal = vigil("device", "quarantine", "u0", "u2");
        assertThat(illegal.exitCode()).isEqualTo(1);
        assertThat(illegal.errLines()).containsExactly("vigil device quarantine: cannot quarantine u2 (cannot"
                + " quarantine a decommissioned device); nothing changed");

        assertThat(state("u0")).isEqualTo("ACTIVE");
        assertThat(state("u1")).isEqualTo("ACTIVE");
        assertThat(server.node().registry().audit().tail(10_000)).hasSize((int) audit + 1); // the decommission only
        CliRun single = vigil("device", "suspend", "nope");
        assertThat(single.errLines()).containsExactly("vigil device suspend: no device named 'nope'");
    }

    @Test
    void more_names_than_one_batch_go_in_requests_of_1000() throws Exception {
        devices("b", 1_001, "sensor");
        String names = IntStream.range(0, 1_001).mapToObj(i -> "b" + i).collect(Collectors.joining("\n"));
        CliRun run = CliRun.vigilWithStdin(names, withConnection("device", "quarantine", "--stdin", "--json"));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JSON.readTree(run.out()).path("changed").asInt()).isEqualTo(1_001);
        assertThat(state("b1000")).isEqualTo("QUARANTINED");
        JsonNode tooMany = JSON.createObjectNode().set("names", JSON.valueToTree(
                IntStream.range(0, 1_001).mapToObj(i -> "b" + i).toList()));
        try {
            server.admin("device.suspend", (com.fasterxml.jackson.databind.node.ObjectNode) tooMany);
            throw new AssertionError("1001 names in one request were accepted");
        } catch (dev.vigil.provisioning.management.ManagementException e) {
            assertThat(e.getMessage()).contains("at most 1000 devices");
        }
    }

    @Test
    void whoami_names_the_caller_for_every_role() throws Exception {
        assertThat(ok("whoami").out()).startsWith("admin (role admin, key ni:///sha-256;");
        KeyPair auditor = PemFiles.generateP256();
        Path pub = server.scratch("keys").resolve("auditor.pub.pem");
        Path pair = server.scratch("keys").resolve("auditor.pem");
        PemFiles.writePublicKey(pub, auditor.getPublic());
        PemFiles.writeKeyPair(pair, auditor);
        ok("operator", "add", "carol", "--key", pub.toString(), "--role", "installer");
        CliRun carol = CliRun.vigil("whoami", "--json", "--server", server.managementUri().toString(),
                "--operator-key", pair.toString(), "--server-key", server.dataDir().serverPublicKey().toString());
        assertThat(carol.exitCode()).as(carol.err()).isZero();
        JsonNode me = JSON.readTree(carol.out());
        assertThat(me.path("name").asText()).isEqualTo("carol");
        assertThat(me.path("role").asText()).isEqualTo("installer");
        assertThat(me.path("keyId").asText()).isEqualTo(dev.vigil.provisioning.keys.KeyIds.of(auditor.getPublic()));
    }

    @Test
    void token_list_shows_usable_tokens_without_secrets_and_a_revoked_token_cannot_enroll() throws Exception {
        String token = ok("token", "create", "--profile", "sensor", "--uses", "3").out().strip();
        ok("token", "create", "--profile", "actuator", "--name", "act-9");
        JsonNode list = JSON.readTree(ok("token", "list", "--json").out()).path("tokens");
        assertThat(list).hasSize(2);
        assertThat(list.toString()).doesNotContain(token).doesNotContain(token.substring(4));
        JsonNode sensor = list.get(0).path("profile").asText().equals("sensor") ? list.get(0) : list.get(1);
        assertThat(sensor.path("usesLeft").asInt()).isEqualTo(3);
        String id = sensor.path("id").asText();
        assertThat(ok("token", "list").out()).contains(id).contains("act-9").contains("USES LEFT");

        assertThat(ok("token", "revoke", id).out()).isEqualTo("revoked token " + id + "\n");
        assertThat(ok("token", "revoke", id).out()).isEqualTo("token " + id + ": already revoked\n");
        assertThat(audited("token.revoke")).isEqualTo(1);
        assertThat(JSON.readTree(ok("token", "list", "--json").out()).path("tokens")).hasSize(1);
        assertThat(vigil("token", "revoke", "0123456789ab").errLines())
                .containsExactly("vigil token revoke: no enrollment token with id 0123456789ab");

        Path state = server.scratch("enrolling");
        PemFiles.writeKeyPair(state.resolve(dev.vigil.device.DeviceKeys.KEY_FILE), PemFiles.generateP256());
        DeviceClient.Outcome enrolled = dev.vigil.device.Enrollment.enroll(state, server.deviceUri(),
                server.dataDir().serverPublicKey(), token, 5_000);
        assertThat(enrolled.isSuccess()).isFalse();
        assertThat(JSON.readTree(ok("device", "list", "--json").out()).path("devices")).isEmpty();
    }

    @Test
    void an_unchanged_policy_applied_again_is_not_a_new_version() throws Exception {
        Path file = server.scratch("policy").resolve("p.json");
        Files.writeString(file, Files.readString(Path.of("../policies/default.json")));
        long version = JSON.readTree(ok("policy", "show", "--json").out()).path("version").asLong();
        long applied = audited("policy.apply");
        assertThat(ok("policy", "apply", file.toString()).out())
                .isEqualTo(file + " is policy version " + version + " already: unchanged\n");
        Files.writeString(file, Files.readString(file).replace("\"maxKeyAge\": \"180d\"", "\"maxKeyAge\": \"90d\""));
        assertThat(ok("policy", "apply", file.toString()).out()).contains("as policy version " + (version + 1));
        Files.writeString(file, "  " + Files.readString(file).replace("\n", "\n  ")); // white space only
        assertThat(ok("policy", "apply", file.toString()).out()).contains("already: unchanged");
        assertThat(audited("policy.apply")).isEqualTo(applied + 1);
    }
}
