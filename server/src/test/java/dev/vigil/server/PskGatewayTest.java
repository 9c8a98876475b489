package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.SenmlCbor;
import dev.vigil.device.gateway.Gateway;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PSK children at the reference gateway: {@code vigil device add --mode proxy --psk-out FILE} gives the operator
 * the child's identity and key once, the gateway learns them from its child list, and libcoap's
 * {@code coap-client-gnutls -u IDENTITY -k KEY} authenticates to the gateway with them, proxied like an RPK child.
 */
class PskGatewayTest {

    private VigilTestServer server;
    private KeyPair gatewayKey;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(onPath("coap-client-gnutls"), "coap-client-gnutls is not installed (libcoap3-bin)");
        server = VigilTestServer.start();
        gatewayKey = server.addDevice("gw1", "gateway");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Gateway gateway() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        URI uri = server.deviceUri();
        Gateway gateway = new Gateway(new Gateway.Settings(server.scratch("gw1-state"), loopback, null,
                new InetSocketAddress(uri.getHost(), uri.getPort()), 1, 10, 3600), gatewayKey,
                new DeviceClient(server.deviceUri(), gatewayKey, server.serverPublicKey()).timeout(5_000));
        open.add(0, gateway);
        return gateway;
    }

    /** Adds {@code name} behind {@code via} with a PSK through the CLI; returns the PSK file. */
    private Path addPskChild(String name, String via, String... more) throws IOException {
        Path out = server.scratch("cli").resolve(name + ".psk");
        List<String> args = new ArrayList<>(List.of("device", "add", name, "--profile", "sensor", "--via", via,
                "--mode", "proxy", "--psk-out", out.toString()));
        args.addAll(List.of(more));
        CliRun added = server.vigil(args.toArray(String[]::new));
        assertThat(added.exitCode()).as(added.err()).isZero();
        return out;
    }

    /** {@code -u IDENTITY -k KEY} as the PSK file holds them. */
    private static List<String> credentials(Path pskFile) throws IOException {
        return List.of(Files.readString(pskFile, StandardCharsets.US_ASCII).strip().split(" "));
    }

    /** One reading posted by libcoap through the gateway with {@code -u user -k key}; returns its output. */
    private static String post(Gateway gateway, String user, String key, double value) throws Exception {
        Process process = new ProcessBuilder("coap-client-gnutls", "-B", "5", "-u", user, "-k", key, "-m", "post",
                "-t", "110", "-e", "[{\"n\":\"temp\",\"u\":\"Cel\",\"v\":" + value + "}]",
                "coaps://127.0.0.1:" + gateway.port() + "/t").redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + " (exit "
                + process.exitValue() + ")";
    }

    @Test
    void a_libcoap_psk_child_through_the_gateway_is_stored_under_its_own_name() throws Exception {
        List<String> psk = credentials(addPskChild("p1", "gw1"));
        assertThat(psk).hasSize(4);
        assertThat(psk.get(0)).isEqualTo("-u");
        assertThat(psk.get(1)).isEqualTo("p1");
        assertThat(psk.get(2)).isEqualTo("-k");
        Gateway gateway = gateway();

        String output = post(gateway, psk.get(1), psk.get(3), 21.5);
        assertThat(output).doesNotContain("cannot send CoAP pdu");
        assertThat(server.readings("p1")).as(output).hasSize(1);
        assertThat(server.readings("p1").get(0).path("v").asDouble()).isEqualTo(21.5);
        assertThat(server.readings("gw1")).isEmpty();
    }

    @Test
    void a_wrong_key_or_an_unknown_identity_is_refused_by_the_gateways_handshake() throws Exception {
        List<String> psk = credentials(addPskChild("p1", "gw1"));
        server.addDevice("r1", "sensor");
        Gateway gateway = gateway();
        String key = psk.get(3);
        String wrongKey = (key.charAt(0) == 'A' ? "B" : "A") + key.substring(1);

        String wrong = post(gateway, "p1", wrongKey, 1.0);
        String unknown = post(gateway, "stranger", key, 2.0);
        String unlisted = post(gateway, "r1", key, 3.0);
        assertThat(server.readings("p1")).as(wrong + unknown).isEmpty();
        assertThat(server.readings("r1")).as(unlisted).isEmpty();
        for (String refused : List.of(wrong, unknown, unlisted)) { // libcoap 4.3.1 exits 0 even so
            assertThat(refused).as("no DTLS session, so no request").contains("cannot send CoAP pdu");
        }
        assertThat(post(gateway, "p1", key, 4.0)).doesNotContain("cannot send CoAP pdu");
        assertThat(server.readings("p1")).as("the right key still passes").hasSize(1);
    }

    @Test
    void a_psk_child_of_another_gateway_is_refused_by_this_gateway() throws Exception {
        server.addDevice("gw2", "gateway");
        List<String> theirs = credentials(addPskChild("q1", "gw2"));
        List<String> ours = credentials(addPskChild("p1", "gw1"));
        Gateway gateway = gateway();
        assertThat(gateway.children().children()).extracting(c -> c.name()).containsExactly("p1");

        String refused = post(gateway, theirs.get(1), theirs.get(3), 1.0);
        assertThat(refused).contains("cannot send CoAP pdu");
        assertThat(server.readings("q1")).as(refused).isEmpty();
        String passed = post(gateway, ours.get(1), ours.get(3), 2.0);
        assertThat(server.readings("p1")).as(passed).hasSize(1);
    }

    @Test
    void a_decommissioned_psk_child_is_refused_after_the_gateways_next_pull() throws Exception {
        List<String> psk = credentials(addPskChild("p1", "gw1"));
        Gateway gateway = gateway();
        assertThat(post(gateway, psk.get(1), psk.get(3), 1.0)).doesNotContain("cannot send CoAP pdu");
        server.admin("device.decommission", VigilTestServer.args().put("name", "p1"));
        gateway.pull();
        assertThat(gateway.children().children()).extracting(c -> c.name()).doesNotContain("p1");
        String refused = post(gateway, psk.get(1), psk.get(3), 2.0);
        assertThat(refused).contains("cannot send CoAP pdu");
        assertThat(server.readings("p1")).hasSize(1);
    }

    @Test
    void a_child_with_a_psk_and_a_key_may_use_either() throws Exception {
        KeyPair key = PemFiles.generateP256();
        Path pem = server.scratch("cli").resolve("p2.pub.pem");
        PemFiles.writePublicKey(pem, key.getPublic());
        List<String> psk = credentials(addPskChild("p2", "gw1", "--key", pem.toString()));
        Gateway gateway = gateway();
        String output = post(gateway, psk.get(1), psk.get(3), 1.0);
        try (DeviceClient rpk = new DeviceClient(URI.create("coaps://127.0.0.1:" + gateway.port()), key,
                gatewayKey.getPublic()).timeout(5_000)) {
            assertThat(rpk.sendTelemetry(SenmlCbor.encode(Map.of("temp", 2.0))).code()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.readings("p2")).as(output).hasSize(2);
    }

    @Test
    void the_operator_gets_the_psk_once_in_a_0600_file_and_the_data_directory_never_holds_it_in_the_clear()
            throws Exception {
        Path out = server.scratch("cli").resolve("p3.psk");
        CliRun added = server.vigil("device", "add", "p3", "--profile", "sensor", "--via", "gw1", "--mode", "proxy",
                "--psk-out", out.toString());
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String key = credentials(out).get(3);
        assertThat(key).matches("[A-Za-z0-9_-]{43}");
        assertThat(added.out()).contains("PSK identity p3").contains(out.toString()).doesNotContain(key);
        assertThat(server.vigil("device", "show", "p3", "--json").out()).doesNotContain(key);
        var audit = server.admin("audit.tail", VigilTestServer.args().put("limit", 50));
        assertThat(audit.path("entries").findValuesAsText("action")).contains("gateway.child.psk");
        assertThat(audit.toString()).doesNotContain(key);

        CliRun again = server.vigil("device", "add", "p4", "--profile", "sensor", "--via", "gw1", "--mode", "proxy",
                "--psk-out", out.toString());
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.err().strip()).isEqualTo("vigil device add: " + out + " exists: --psk-out writes a new file"
                + " only");
        CliRun relay = server.vigil("device", "add", "p5", "--profile", "sensor", "--via", "gw1", "--psk-out",
                server.scratch("cli").resolve("p5.psk").toString());
        assertThat(relay.exitCode()).isEqualTo(2);
        assertThat(relay.err().strip()).isEqualTo("vigil device add: --psk-out is only for --mode proxy (see 'vigil device add --help')");
        assertThat(server.vigil("device", "show", "p5").exitCode()).as("nothing registered").isNotZero();

        gateway(); // the child list has travelled; the gateway keeps it in memory only
        try (var files = Files.walk(server.dataDir().root()).filter(Files::isRegularFile)) {
            for (Path file : files.toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as("the PSK in the clear in " + file).doesNotContain(key);
            }
        }
        try (var files = Files.walk(server.scratch("gw1-state")).filter(Files::isRegularFile)) {
            for (Path file : files.toList()) {
                assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as("the PSK in " + file)
                        .doesNotContain(key);
            }
        }
    }

    private static boolean onPath(String binary) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, binary)));
    }
}
