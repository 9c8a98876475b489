package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.operators.OperatorKeyProof;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import dev.vigil.provisioning.management.ManagementException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operators over their lifetime, in-process against a real node over CoAPS: {@code vigil operator role}, {@code vigil
 * operator rotate-key} (own key with proof of possession, or another operator's by an admin), a removed name added
 * again, and audit records, events and {@code policy show} naming operators as {@code name (key id)}.
 */
class OperatorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private VigilTestServer server;
    private final List<ManagementClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(ManagementClient::close);
        server.close();
    }

    /** {@code vigil ARGS...} with {@code key} as the operator key. */
    private CliRun vigilAs(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.managementUri().toString(), "--operator-key", key.toString(),
                "--server-key", server.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    private CliRun vigil(String... args) {
        return vigilAs(server.dataDir().adminKey(), args);
    }

    private CliRun ok(CliRun run) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    private static void refused(CliRun run, String line) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(line);
    }

    private static void refusedAtHandshake(CliRun run) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("vigil whoami: the DTLS handshake with ");
    }

    /** A new key pair written as FILE.pem (0600) and FILE.pub.pem. */
    private Path keyFile(String name) throws Exception {
        Path file = server.scratch("keys").resolve(name + ".pem");
        KeyPair key = PemFiles.generateP256();
        PemFiles.writeKeyPair(file, key);
        PemFiles.writePublicKey(publicFile(file), key.getPublic());
        return file;
    }

    private static Path publicFile(Path keyFile) {
        return keyFile.resolveSibling(keyFile.getFileName().toString().replace(".pem", ".pub.pem"));
    }

    private static String keyId(Path keyFile) throws Exception {
        return KeyIds.of(PemFiles.readKeyPair(keyFile).getPublic());
    }

    private Path addOperator(String name, String role) throws Exception {
        Path key = keyFile(name + "-" + System.nanoTime());
        ok(vigil("operator", "add", name, "--key", publicFile(key).toString(), "--role", role));
        return key;
    }

    /** A live management session of {@code key}, as a console would hold it. */
    private ManagementClient session(Path key) throws Exception {
        ManagementClient client = CoapsManagementClient.connect(new ManagementEndpoint(server.managementUri(),
                PemFiles.readKeyPair(key), server.serverPublicKey()));
        clients.add(client);
        return client;
    }

    private long audited(String action) {
        return server.node().registry().audit().tail(10_000).stream().map(AuditLog.Entry::action)
                .filter(action::equals).count();
    }

    private String auditTail() {
        return ok(vigil("audit", "tail", "-n", "1000")).out();
    }

    private static void refusedWith(ManagementClient client, ManagementException.Reason reason) {
        assertThatThrownBy(() -> client.call("operator.whoami", VigilTestServer.args()))
                .isInstanceOfSatisfying(ManagementException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /**
     * Waits until the old key's session was cut: the client, refused, handshakes again and the handshake is
     * refused (an event). Over a session left standing, requests would only get 4.03 and no handshake happen.
     */
    private JsonNode awaitRefusedHandshake(ManagementClient old, String keyId) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                old.call("operator.whoami", VigilTestServer.args());
                throw new AssertionError("the old key still works");
            } catch (ManagementException expected) {
                // refused by the gate (4.03) or at the handshake
            }
            for (JsonNode event : server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events")) {
                if (event.path("type").asText().equals("management-handshake-refused")
                        && event.path("subject").asText().equals(keyId)) {
                    return event;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no refused handshake of " + keyId + ": its session was not cut");
    }

    @Test
    void a_role_change_applies_to_the_operators_live_session_is_idempotent_and_refuses_unknowns() throws Exception {
        Path alice = addOperator("alice", "operator");
        ManagementClient live = session(alice);
        assertThatThrownBy(() -> live.call("operator.list", VigilTestServer.args()))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.reason()).isEqualTo(ManagementException.Reason.FORBIDDEN));

        CliRun run = ok(vigil("operator", "role", "alice", "admin"));

        assertThat(run.out()).isEqualTo("operator alice now has role admin\n");
        assertThat(live.call("operator.list", VigilTestServer.args()).path("operators")).hasSize(2);
        assertThat(live.call("operator.whoami", VigilTestServer.args()).path("role").asText()).isEqualTo("admin");
        assertThat(auditTail()).contains("operator.role alice [role=operator] -> [role=admin]");

        long roleChanges = audited("operator.role");
        assertThat(ok(vigil("operator", "role", "alice", "admin")).out()).isEqualTo("operator alice: already role admin\n");
        assertThat(audited("operator.role")).as("the same role again is not audited").isEqualTo(roleChanges);

        refused(vigil("operator", "role", "alice", "superuser"), "vigil operator role: no role 'superuser' in the"
                + " policy in force (roles: admin, auditor, installer, operator)");
        refused(vigil("operator", "role", "nobody", "admin"), "vigil operator role: no operator named 'nobody'");
        assertThat(audited("operator.role")).isEqualTo(roleChanges);
        assertThat(live.call("operator.whoami", VigilTestServer.args()).path("role").asText()).isEqualTo("admin");
    }

    @Test
    void a_role_change_that_would_leave_nobody_to_govern_is_refused() throws Exception {
        Path alice = addOperator("alice", "admin");
        ok(vigilAs(alice, "operator", "role", "admin", "auditor")); // alice still governs
        long before = audited("operator.role");

        CliRun demoteLast = vigilAs(alice, "operator", "role", "alice", "operator");

        refused(demoteLast, "vigil operator role: giving operator 'alice' role 'operator' would lock every operator"
                + " out: afterwards no current operator could policy.apply, operator.add, operator.remove (operators:"
                + " admin (auditor), alice (operator)); keep a role granting these to at least one current operator");
        assertThat(audited("operator.role")).isEqualTo(before);
        assertThat(ok(vigilAs(alice, "whoami")).out()).startsWith("alice (role admin,");
    }

    @Test
    void rotating_ones_own_key_proves_the_new_key_cuts_the_old_keys_session_and_audits_both_ids() throws Exception {
        Path alice = addOperator("alice", "operator");
        String oldId = keyId(alice);
        ManagementClient console = session(alice); // another live session of the same key
        assertThat(console.call("operator.whoami", VigilTestServer.args()).path("name").asText()).isEqualTo("alice");
        Path next = keyFile("alice-next");
        String newId = keyId(next);

        CliRun run = ok(vigilAs(alice, "operator", "rotate-key", "--new-key", next.toString()));

        assertThat(run.out()).isEqualTo("rotated operator alice's key\n  old key " + oldId + " (refused from now on)\n"
                + "  new key " + newId + "\nuse " + next + " as your operator key from now on\n");
        JsonNode event = awaitRefusedHandshake(console, oldId);
        assertThat(event.path("detail").asText()).isEqualTo("an operator key replaced by a rotation");
        refusedAtHandshake(vigilAs(alice, "whoami"));
        assertThat(ok(vigilAs(next, "whoami")).out()).isEqualTo("alice (role operator, key " + newId + ")\n");
        assertThat(auditTail()).contains("alice (" + oldId + ") (retired) operator.rotate-key alice [key=" + oldId
                + "] -> [key=" + newId + "]");
        assertThat(ok(vigil("events", "-n", "1000")).out()).contains("management-handshake-refused alice (" + oldId
                + ") (retired): an operator key replaced by a rotation");
    }

    @Test
    void a_key_the_caller_does_not_hold_cannot_be_registered_by_rotation() throws Exception {
        Path alice = addOperator("alice", "operator");
        Path bob = addOperator("bob", "operator");
        KeyPair victim = PemFiles.generateP256(); // a key alice does not hold (only its public half is known)
        KeyPair aliceSigner = PemFiles.generateP256();
        ManagementClient live = session(alice);
        long before = audited("operator.rotate-key");

        // signed by another key than the one offered
        ObjectNode forged = rotation(victim.getPublic(),
                OperatorKeyProof.sign(keyId(alice), aliceSigner.getPublic(), aliceSigner.getPrivate()));
        // a genuine proof made for bob's rotation, replayed by alice
        KeyPair bobNext = PemFiles.generateP256();
        ObjectNode replayed = rotation(bobNext.getPublic(),
                OperatorKeyProof.sign(keyId(bob), bobNext.getPublic(), bobNext.getPrivate()));

        for (ObjectNode request : List.of(forged, replayed)) {
            assertThatThrownBy(() -> live.call("operator.rotate-key", request))
                    .isInstanceOfSatisfying(ManagementException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ManagementException.Reason.FORBIDDEN);
                        assertThat(e.getMessage()).isEqualTo("the proof is not a signature by the new key over this"
                                + " rotation; nothing changed");
                    });
        }
        assertThat(audited("operator.rotate-key")).isEqualTo(before);
        assertThat(live.call("operator.whoami", VigilTestServer.args()).path("keyId").asText()).isEqualTo(keyId(alice));
        refused(vigilAs(alice, "operator", "rotate-key", "--new-key", bob.toString()),
                "vigil operator rotate-key: key " + keyId(bob) + " belongs or belonged to an operator");
    }

    private static ObjectNode rotation(java.security.PublicKey key, byte[] proof) {
        return VigilTestServer.args().put("publicKey", PemFiles.publicKeyPem(key))
                .put("proof", Base64.getEncoder().encodeToString(proof));
    }

    @Test
    void an_admin_replaces_another_operators_key_and_its_live_session_is_cut() throws Exception {
        Path bob = addOperator("bob", "auditor");
        ManagementClient live = session(bob);
        assertThat(live.call("operator.whoami", VigilTestServer.args()).path("name").asText()).isEqualTo("bob");
        Path next = keyFile("bob-next");

        CliRun run = ok(vigil("operator", "rotate-key", "bob", "--new-public-key", publicFile(next).toString()));

        assertThat(run.out()).contains("rotated operator bob's key", "old key " + keyId(bob), "new key " + keyId(next));
        awaitRefusedHandshake(live, keyId(bob));
        assertThat(ok(vigilAs(next, "whoami")).out()).startsWith("bob (role auditor,");
        assertThat(auditTail()).contains("operator.set-key bob [key=" + keyId(bob) + "] -> [key=" + keyId(next) + "]");

        String adminKey = server.dataDir().adminKey().toString();
        refused(vigil("operator", "rotate-key", "admin", "--new-public-key", publicFile(keyFile("x")).toString()),
                "vigil operator rotate-key: to replace your own key use 'vigil operator rotate-key --new-key FILE'"
                        + " (it proves you hold the new key)");
        CliRun noProof = vigil("operator", "rotate-key", "--new-public-key", publicFile(next).toString());
        assertThat(noProof.exitCode()).isEqualTo(2);
        assertThat(noProof.errLines()).hasSize(1);
        assertThat(ok(vigil("whoami")).out()).contains(keyId(Path.of(adminKey)));
        refused(vigilAs(next, "operator", "rotate-key", "admin", "--new-public-key", publicFile(keyFile("y")).toString()),
                "vigil operator rotate-key: role 'auditor' may not operator.set-key");
    }

    @Test
    void a_removed_name_can_be_added_again_and_its_old_key_stays_refused() throws Exception {
        Path bob = addOperator("bob", "admin");
        String oldId = keyId(bob);
        ok(vigil("operator", "remove", "bob"));
        Path bobAgain = keyFile("bob-again");

        CliRun run = ok(vigil("operator", "add", "bob", "--key", publicFile(bobAgain).toString(), "--role", "auditor"));

        assertThat(run.out()).startsWith("added operator bob (role auditor)");
        assertThat(ok(vigilAs(bobAgain, "whoami")).out()).startsWith("bob (role auditor,");
        refusedAtHandshake(vigilAs(bob, "whoami"));
        assertThat(ok(vigil("operator", "list")).out()).contains(keyId(bobAgain)).doesNotContain(oldId);
        String audit = auditTail();
        assertThat(audit).contains("operator.remove bob [role=admin key=" + oldId + "] -> [removed]",
                "operator.add bob [removed (role=admin key=" + oldId + ")] -> [role=auditor key=" + keyId(bobAgain) + "]");
        refused(vigil("operator", "add", "bob", "--key", publicFile(keyFile("z")).toString(), "--role", "auditor"),
                "vigil operator add: an operator named 'bob' exists");
        refused(vigil("operator", "add", "carol", "--key", publicFile(bob).toString(), "--role", "auditor"),
                "vigil operator add: key " + oldId + " belongs or belonged to an operator");
    }

    @Test
    void audit_events_and_policy_show_name_operators_by_name_and_key_id() throws Exception {
        String adminId = keyId(server.dataDir().adminKey());
        Path bob = addOperator("bob", "admin");
        String bobId = keyId(bob);
        JsonNode policy = JSON.readTree(ok(vigil("policy", "show", "--json")).out());
        ObjectNode document = (ObjectNode) JSON.readTree(policy.path("document").asText());
        document.with("roles").putObject("viewer").putArray("operations").add("status");
        Path file = server.scratch("policy").resolve("policy.json");
        Files.writeString(file, JSON.writeValueAsString(document));
        ok(vigilAs(bob, "policy", "apply", file.toString()));

        assertThat(ok(vigil("policy", "show")).err()).contains(" by bob (" + bobId + ")\n");
        assertThat(auditTail()).contains(" admin (" + adminId + ") operator.add bob ",
                " bob (" + bobId + ") policy.apply ");

        ok(vigil("operator", "remove", "bob"));
        refusedAtHandshake(vigilAs(bob, "whoami"));

        assertThat(ok(vigil("policy", "show")).err()).contains(" by bob (" + bobId + ") (removed)\n");
        assertThat(auditTail()).contains(" bob (" + bobId + ") (removed) policy.apply ");
        assertThat(ok(vigil("events", "-n", "1000")).out()).contains("management-handshake-refused bob (" + bobId
                + ") (removed): a removed operator's key");
        JsonNode entry = JSON.readTree(ok(vigil("audit", "tail", "-n", "1000", "--json")).out());
        assertThat(entry.path("entries").findValuesAsText("actor")).contains(bobId);
        assertThat(entry.path("entries").findValuesAsText("actorLabel")).contains("bob (" + bobId + ") (removed)");
    }
}
