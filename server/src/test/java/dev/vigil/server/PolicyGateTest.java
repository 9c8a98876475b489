package dev.vigil.server;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request gate over real DTLS: least privilege per profile, rate limits, policy documents, roles. */
class PolicyGateTest {

    /** The shipped default plus a tight "metered" profile: 1 reading/s, burst 2. */
    private static final String METERED = """
            {"profiles": {
              "sensor": {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 1024,
                                   "rate": {"perSecond": 1, "burst": 10}}],
                         "services": ["firmware", "key-rotation"]},
              "metered": {"send": [{"resource": "t", "methods": ["POST"], "formats": [112], "maxPayload": 64,
                                    "rate": {"perSecond": 1, "burst": 2}}],
                          "services": ["key-rotation"]},
              "keys-only": {"services": ["key-rotation"]},
              "aging": {"send": [{"resource": "t", "methods": ["POST"], "maxPayload": 1024,
                                  "rate": {"perSecond": 10, "burst": 10}}],
                        "services": ["key-rotation"], "maxKeyAge": "1s"}
             },
             "roles": {"admin": {"operations": ["*"]},
                       "installer": {"operations": ["token.create", "device.import", "device.approve", "device.list"]},
                       "auditor": {"operations": ["*.list", "*.show", "audit.*", "events", "status"]}}}
            """;

    private VigilTestServer server;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        assertThat(server.admin("policy.apply", VigilTestServer.args().put("document", METERED))
                .path("valid").asBoolean()).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private static Request post(String path, int format, byte[] payload) {
        Request request = Request.newPost();
        request.getOptions().setContentFormat(format);
        request.setPayload(payload);
        return request;
    }

    private String[] operator(String role) throws Exception {
        KeyPair key = PemFiles.generateP256();
        Path file = server.scratch("operators").resolve(role + ".pem");
        PemFiles.writeKeyPair(file, key);
        server.admin("operator.add", VigilTestServer.args().put("name", role + "-op").put("role", role)
                .put("publicKey", PemFiles.publicKeyPem(key.getPublic())));
        return new String[] {"--server", server.managementUri().toString(), "--operator-key", file.toString(),
            "--server-key", server.dataDir().serverPublicKey().toString()};
    }

    private static String[] with(String[] connection, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(connection));
        return all.toArray(String[]::new);
    }

    @Test
    void a_sensor_reaches_only_what_its_profile_grants() throws Exception {
        KeyPair key = server.addDevice("s1", "sensor");
        try (DeviceClient device = client(key)) {
            assertThat(device.send("/x", post("/x", 110, "[]".getBytes())).code()).as("a resource it lacks")
                    .isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(device.send("/t", Request.newGet()).code()).as("a method it lacks")
                    .isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
            byte[] big = ("[{\"n\":\"a\",\"vs\":\"" + "x".repeat(1100) + "\"}]").getBytes(StandardCharsets.UTF_8);
            assertThat(device.send("/t", post("/t", 110, big)).code()).as("over the profile's 1024 bytes")
                    .isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("s1")).hasSize(1);
        assertThat(server.admin("events", VigilTestServer.args()).path("events").findValuesAsText("type"))
                .contains("policy-denial");
    }

    @Test
    void over_its_rate_a_device_gets_4_29_with_max_age_and_back_under_2_04() throws Exception {
        KeyPair key = server.addDevice("m1", "metered");
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 2.0))).code()).isEqualTo(ResponseCode.CHANGED);
            DeviceClient.Outcome limited = device.sendTelemetry(SenmlCbor.encode(Map.of("a", 3.0)));
            assertThat(limited.code()).isEqualTo(ResponseCode.TOO_MANY_REQUESTS);
            assertThat(limited.options().getMaxAge()).isEqualTo(1);

            Thread.sleep(1100); // the bucket refills at 1/s: elapsed time is what is tested
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 4.0))).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("m1")).hasSize(3);
    }

    @Test
    void a_key_older_than_its_profile_allows_may_only_rotate() throws Exception {
        KeyPair key = server.addDevice("a1", "aging");
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);
            Thread.sleep(1100); // the key must outlive the profile's 1 s maximum age: elapsed time is what is tested
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 2.0))).code()).isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(device.send("/key", Request.newGet()).code()).isEqualTo(ResponseCode.CONTENT);
        }
    }

    @Test
    void discovery_lists_only_what_the_profile_may_use() throws Exception {
        KeyPair sensor = server.addDevice("s1", "sensor");
        KeyPair keysOnly = server.addDevice("k1", "keys-only");
        try (DeviceClient a = client(sensor); DeviceClient b = client(keysOnly)) {
            assertThat(new String(a.send("/.well-known/core", Request.newGet()).payload())).contains("</t>")
                    .contains("</key>");
            assertThat(new String(b.send("/.well-known/core", Request.newGet()).payload())).doesNotContain("</t>")
                    .contains("</key>");
            assertThat(b.sendTelemetry(SenmlCbor.encode(Map.of("a", 1.0))).code()).isEqualTo(ResponseCode.FORBIDDEN);
        }
    }

    @Test
    void a_bad_policy_file_is_refused_whole_with_each_error_located_and_the_old_policy_stays() throws Exception {
        Path file = server.scratch("p").resolve("bad.json");
        Files.writeString(file, """
                {"profiles": {
                  "sensor": {"send": [{"resource": "t", "methods": ["POST"], "maxPayload": 1024,
                                       "rate": {"perSecond": 1, "burst": 0}}]},
                  "x": {"services": ["teleport"]}
                 },
                 "roles": {"admin": {"operations": ["*"]}}}
                """);
        long version = server.admin("policy.show", VigilTestServer.args()).path("version").asLong();
        String[] admin = {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()};

        CliRun apply = vigil(with(admin, "policy", "apply", file.toString()));

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.errLines()).hasSize(3);
        assertThat(apply.errLines()[0]).startsWith(file + ":3:").contains("/profiles/sensor/send/0/rate/burst");
        assertThat(apply.errLines()[1]).startsWith(file + ":4:").contains("/profiles/x/services/0");
        assertThat(apply.errLines()[2]).contains("refused (2 errors); the policy in force is unchanged");
        assertThat(server.admin("policy.show", VigilTestServer.args()).path("version").asLong()).isEqualTo(version);
        KeyPair key = server.addDevice("m1", "metered");
        try (DeviceClient device = client(key)) {
            assertThat(device.sendTelemetry(SenmlCbor.encode(Map.of("a", 1.0))).code()).isEqualTo(ResponseCode.CHANGED);
        }

        CliRun validate = vigil(with(admin, "policy", "validate", file.toString()));
        assertThat(validate.exitCode()).isEqualTo(1);
        Path good = server.scratch("p").resolve("good.json");
        Files.writeString(good, METERED);
        assertThat(vigil(with(admin, "policy", "validate", good.toString())).out()).endsWith(": valid\n");
        // the same document as the one in force: no new version (issue 14: an unchanged policy is not a new version)
        assertThat(vigil(with(admin, "policy", "apply", good.toString())).out())
                .endsWith("is policy version " + version + " already: unchanged\n");
        assertThat(server.admin("audit.tail", VigilTestServer.args()).path("entries").findValuesAsText("action"))
                .contains("policy.apply");
    }

    @Test
    void a_policy_nested_100000_deep_or_with_a_duplicate_key_is_refused_with_its_line_and_nothing_changes()
            throws Exception {
        Path deep = server.scratch("p").resolve("deep.json");
        Files.writeString(deep, "[".repeat(100_000));
        Path duplicate = server.scratch("p").resolve("duplicate.json");
        Files.writeString(duplicate, """
                {"profiles": {"metered": {}},
                 "roles": {"admin": {"operations": ["*"]}},
                 "roles": {"admin": {"operations": ["*"]}}}
                """);
        long version = server.admin("policy.show", VigilTestServer.args()).path("version").asLong();
        String[] admin = {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()};

        for (String command : new String[] {"validate", "apply"}) {
            CliRun run = vigil(with(admin, "policy", command, deep.toString()));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).containsExactly(deep + ":1:33: nested deeper than 32 levels",
                    "vigil policy." + command + ": " + deep + " refused (1 error); the policy in force is unchanged");
        }
        CliRun twice = vigil(with(admin, "policy", "validate", duplicate.toString()));
        assertThat(twice.exitCode()).isEqualTo(1);
        assertThat(twice.errLines()).containsExactly(duplicate + ":3:2: /roles: duplicate field 'roles' (first at line 2)",
                "vigil policy.validate: " + duplicate + " refused (1 error); the policy in force is unchanged");
        assertThat(server.admin("policy.show", VigilTestServer.args()).path("version").asLong()).isEqualTo(version);
    }

    @Test
    void a_policy_that_drops_a_profile_in_use_is_refused() throws Exception {
        server.addDevice("m1", "metered");
        String without = METERED.replace("\"keys-only\"", "\"other\"").replace("\"metered\"", "\"renamed\"");
        var refused = org.assertj.core.api.Assertions.catchThrowable(
                () -> server.admin("policy.apply", VigilTestServer.args().put("document", without)));
        assertThat(refused).hasMessageContaining("drops profiles devices still use: 'metered' (1 devices)");
    }

    @Test
    void an_auditor_can_list_and_verify_but_every_change_is_refused() throws Exception {
        String[] auditor = operator("auditor");
        assertThat(vigil(with(auditor, "device", "list")).exitCode()).isZero();
        assertThat(vigil(with(auditor, "audit", "verify")).exitCode()).isZero();
        CliRun add = vigil(with(auditor, "device", "add", "s9", "--key", server.dataDir().serverPublicKey().toString(),
                "--profile", "sensor"));
        assertThat(add.exitCode()).isEqualTo(1);
        assertThat(add.errLines()).containsExactly("vigil device add: role 'auditor' may not device.add");
        assertThat(vigil(with(auditor, "token", "create", "--profile", "sensor")).exitCode()).isEqualTo(1);
    }

    @Test
    void an_installer_can_create_tokens_but_not_decommission() throws Exception {
        server.addDevice("s1", "sensor");
        String[] installer = operator("installer");
        CliRun token = vigil(with(installer, "token", "create", "--profile", "sensor"));
        assertThat(token.exitCode()).as(token.err()).isZero();
        CliRun decommission = vigil(with(installer, "device", "decommission", "s1"));
        assertThat(decommission.exitCode()).isEqualTo(1);
        assertThat(decommission.errLines()).containsExactly("vigil device decommission: role 'installer' may not"
                + " device.decommission");
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "s1")).path("state").asText())
                .isEqualTo("ACTIVE");
    }
}
