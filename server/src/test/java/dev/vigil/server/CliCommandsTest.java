package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every {@code vigil} command in-process against a real node: its happy path and one bad argument. */
class CliCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private CliRun vigil(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.managementUri().toString(),
                "--operator-key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    private CliRun ok(String... args) {
        CliRun run = vigil(args);
        assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    private JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        return JSON.readTree(ok(all.toArray(String[]::new)).out());
    }

    private Path publicKeyFile(String name) throws Exception {
        Path file = server.scratch("keys").resolve(name + ".pub.pem");
        PemFiles.writePublicKey(file, PemFiles.generateP256().getPublic());
        return file;
    }

    @Test
    void a_server_that_answers_nothing_is_exit_3_after_the_contact_timeout_and_a_bad_uri_one_line()
            throws Exception {
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            String[] keys = {"--operator-key", server.dataDir().adminKey().toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()};
            String at = "coaps://127.0.0.1:" + silent.getLocalPort();
            CliRun unanswered = CliRun.vigil(concat(new String[] {"device", "list", "--server", at}, keys));
            assertThat(unanswered.exitCode()).isEqualTo(3);
            assertThat(unanswered.errLines()).containsExactly("vigil device list: cannot reach " + at
                    + ": no answer in 2 s (is the server running? --timeout waits longer)");
            CliRun longer = CliRun.vigil(concat(new String[] {"device", "list", "--server", at, "--timeout", "1"},
                    keys));
            assertThat(longer.errLines()).singleElement().asString().contains("no answer in 1 s");
            CliRun bare = CliRun.vigil(concat(new String[] {"device", "list", "--server", "127.0.0.1:5685"}, keys));
            assertThat(bare.exitCode()).isEqualTo(2);
            assertThat(bare.errLines()[0]).startsWith("vigil device list: --server is not a URI such as coaps://host:5685: '127.0.0.1:5685'");
        }
        // a slow answer is not a silent server: an operation that takes longer than the contact timeout succeeds
        assertThat(ok("device", "list", "--timeout", "1").exitCode()).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void policy_diff_names_what_applying_a_document_would_change_and_changes_nothing() throws Exception {
        JsonNode shown = json("policy", "show");
        String current = shown.path("document").asText();
        Path same = server.scratch("policies").resolve("same.json");
        Files.writeString(same, current);
        assertThat(ok("policy", "diff", same.toString()).out()).startsWith("no change: ");

        com.fasterxml.jackson.databind.node.ObjectNode document = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(current);
        ((com.fasterxml.jackson.databind.node.ObjectNode) document.path("profiles")).putObject("valve")
                .putArray("services").add("key-rotation");
        ((com.fasterxml.jackson.databind.node.ObjectNode) document.path("profiles")).remove("sensor");
        Path changed = server.scratch("policies").resolve("changed.json");
        Files.writeString(changed, document.toString());
        CliRun diff = ok("policy", "diff", changed.toString());
        assertThat(diff.out()).contains("+ profiles.valve = {\"services\":[\"key-rotation\"]}")
                .contains("- profiles.sensor (was ").contains("2 changes against version");
        assertThat(json("policy", "show").path("version").asLong()).as("nothing applied")
                .isEqualTo(shown.path("version").asLong());
        CliRun notJson = vigil("policy", "diff", server.scratch("policies").resolve("x.txt").toString());
        assertThat(notJson.exitCode()).isEqualTo(1);
    }

    @Test
    void device_lifecycle_commands() throws Exception {
        ok("device", "add", "s1", "--key", publicKeyFile("s1").toString(), "--profile", "sensor");
        assertThat(ok("device", "show", "s1").out()).contains("s1").contains("ACTIVE").contains("KEY ID");
        assertThat(ok("device", "suspend", "s1").out()).isEqualTo("s1: ACTIVE -> SUSPENDED\n");
        assertThat(ok("device", "quarantine", "s1").out()).contains("SUSPENDED -> QUARANTINED");
        assertThat(ok("device", "reinstate", "s1").out()).contains("QUARANTINED -> ACTIVE");
        assertThat(json("key", "rotate", "s1").path("rotationRequested").asBoolean()).isTrue();
        assertThat(ok("device", "decommission", "s1").out()).contains("ACTIVE -> DECOMMISSIONED");

        // idempotent since the bulk forms (issue 14): a repeat is success, not "device is already decommissioned"
        assertThat(ok("device", "decommission", "s1").out()).isEqualTo("s1: already DECOMMISSIONED\n");
        CliRun rotate = vigil("key", "rotate", "s1");
        assertThat(rotate.errLines()).containsExactly("vigil key rotate: cannot rotate a decommissioned device");
    }

    @Test
    void import_then_approve_flow_and_progress() throws Exception {
        Path manifest = server.scratch("m").resolve("manifest.csv");
        StringBuilder csv = new StringBuilder("name,profile,key\n");
        for (int i = 0; i < 4500; i++) {
            byte[] spki = new byte[91];
            new java.util.Random(i).nextBytes(spki); // key ids only: the manufacturer publishes no keys
            csv.append("dev-").append(i).append(",sensor,").append(KeyIds.ofSubjectPublicKeyInfo(spki)).append('\n');
        }
        Files.writeString(manifest, csv);

        CliRun run = ok("device", "import", manifest.toString());
        assertThat(run.out()).contains("imported 4500 devices");
        assertThat(run.err()).contains("import: 2000/4500 devices sent").contains("import: 4500/4500 devices sent");
        assertThat(json("status").path("devices").path("PROVISIONED").asInt()).isEqualTo(4500);

        CliRun twice = vigil("device", "import", manifest.toString());
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.err()).contains("nothing imported");

        CliRun approve = vigil("device", "approve", "dev-1");
        assertThat(approve.errLines()).containsExactly(
                "vigil device approve: cannot approve a provisioned device: only pending devices await approval");
    }

    @Test
    void token_operator_audit_events_and_status_commands() throws Exception {
        CliRun token = ok("token", "create", "--profile", "sensor", "--ttl", "10m");
        assertThat(token.out().trim()).startsWith("vgt_");
        assertThat(token.err()).contains("shown once");

        KeyPair auditorKey = PemFiles.generateP256();
        Path auditorPub = server.scratch("keys").resolve("auditor.pub.pem");
        PemFiles.writePublicKey(auditorPub, auditorKey.getPublic());
        ok("operator", "add", "alice", "--key", auditorPub.toString(), "--role", "auditor");
        assertThat(ok("operator", "list").out()).contains("alice").contains("auditor").contains("admin");
        assertThat(ok("operator", "remove", "alice").out()).contains("removed operator alice");

        JsonNode audit = json("audit", "tail", "-n", "100");
        assertThat(audit.path("entries").findValuesAsText("action"))
                .contains("operator.add", "token.create", "operator.add", "operator.remove");
        assertThat(ok("audit", "verify").out()).startsWith("audit log intact:");
        assertThat(ok("events").exitCode()).isZero();
        assertThat(ok("status").out()).contains("vigil 0.1.0").contains("ACTIVE");
    }

    @ParameterizedTest(name = "vigil {0}")
    @CsvSource(delimiter = '|', value = {
        "device show                                   | Missing required parameter: 'NAME'",
        "device import                                 | Missing required parameter: 'FILE'",
        "device suspend                                | Missing required parameter: 'NAME'",
        "device quarantine a --stdin                   | give names, --selector or --stdin, not two of them",
        "device suspend --selector colour=red          | --selector takes profile, state and tier",
        "device reinstate                              | Missing required parameter: 'NAME'",
        "device approve                                | Missing required parameter: 'NAME'",
        "device decommission                           | Missing required parameter: 'NAME'",
        "token create                                  | Missing required option: '--profile=P'",
        "token create --profile sensor --ttl soon      | is not a duration like 90s, 30m, 1h or 7d",
        "key rotate                                    | Missing required parameter: 'NAME'",
        "operator add bob --key k.pem                  | Missing required option: '--role=R'",
        "operator remove                               | Missing required parameter: 'NAME'",
        "audit tail -n x                               | Invalid value for option '--lines'",
        "audit verify --bogus                          | Unknown option: '--bogus'",
        "events -n                                     | Expected parameter for option '--lines'",
        "status extra                                  | Unmatched argument",
    })
    void a_bad_argument_is_one_line_and_exit_2(String args, String message) {
        CliRun run = vigil(args.trim().split("\\s+"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains(message);
    }

    @Test
    void a_server_refusal_of_bad_input_is_exit_1() throws Exception {
        CliRun token = vigil("token", "create", "--profile", "sensor", "--uses", "0");
        assertThat(token.exitCode()).isEqualTo(1);
        assertThat(token.errLines()).containsExactly("vigil token create: uses must be a whole number between 1 and 100000");
        Path manifest = server.scratch("m").resolve("bad.csv");
        Files.writeString(manifest, "name,profile\nx,y\n");
        CliRun bad = vigil("device", "import", manifest.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.errLines()).containsExactly("vigil device import: bad.csv: line 1: expected 3 columns (name,profile,key), found 2");
    }
}
