package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceKeys;
import dev.vigil.server.VigilTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ETSI CoAP plugtest cases on Vigil's device resources, driven by libcoap's {@code coap-client-gnutls}
 * 4.3.1 over DTLS/RPK; ids as in {@link PlugtestCaliforniumTest} (ETSI CoAP#4 test descriptions). The
 * assertions read the messages coap-client logs at {@code -v 6}. CORE_12 (empty token) and CORE_31 (ping)
 * are Californium-only: coap-client always sends a token and has no ping command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlugtestLibcoapTest {

    private VigilTestServer server;
    /** A "sensor" (the shipped default policy). */
    private String device;
    private Path key;
    /** A "bulk" device ({@link Fixtures#BULK_PROFILE}), for transfers up to VIGIL.TELEMETRY_MAX_PAYLOAD. */
    private String bulk;
    private Path bulkKey;

    @BeforeAll
    void start() throws Exception {
        if (!Libcoap.present(Libcoap.CLIENT)) {
            return; // each case is skipped (or failed under CI=true) by requireLibcoap
        }
        server = VigilTestServer.start();
        device = "plug-lc";
        Path state = server.scratch(device);
        KeyPair pair = DeviceKeys.generate(state);
        server.addDevice(device, pair.getPublic(), "sensor");
        key = state.resolve(DeviceKeys.KEY_FILE);
        Fixtures.addProfile(server, "bulk", Fixtures.BULK_PROFILE);
        bulk = "plug-lc-bulk";
        Path bulkState = server.scratch(bulk);
        server.addDevice(bulk, DeviceKeys.generate(bulkState).getPublic(), "bulk");
        bulkKey = bulkState.resolve(DeviceKeys.KEY_FILE);
    }

    @BeforeEach
    void requireLibcoap() {
        Libcoap.requireClient();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private Libcoap.Run coap(String... args) throws Exception {
        return coapAt(6, key, args);
    }

    /** At -v 7 coap-client also logs the block-wise exchanges it runs by itself (2.31 Continue). */
    private Libcoap.Run coapAt(int verbosity, Path keyFile, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-B", "5", "-v", String.valueOf(verbosity), "-M", keyFile.toString()));
        all.addAll(List.of(args));
        return Libcoap.client(all.toArray(String[]::new));
    }

    private String uri(String pathAndQuery) {
        return server.deviceUri() + pathAndQuery;
    }

    private Path out() throws Exception {
        return server.scratch("out").resolve(Fixtures.name("payload"));
    }

    private Path file(byte[] content) throws Exception {
        Path file = server.scratch("in").resolve(Fixtures.name("payload"));
        Files.write(file, content);
        return file;
    }

    private int stored() throws Exception {
        return stored(device);
    }

    private int stored(String name) throws Exception {
        return server.readings(name).size();
    }

    /** The last request coap-client logged and the one response it got. */
    private static void assertExchange(Libcoap.Run run, String requestType, String responseType, String code) {
        List<Libcoap.Message> requests = run.requests();
        assertThat(requests).as(run.output()).isNotEmpty();
        Libcoap.Message request = requests.get(requests.size() - 1);
        assertThat(request.type()).isEqualTo(requestType);
        assertThat(run.responses()).as(run.output()).singleElement().satisfies(response -> {
            assertThat(response.type()).isEqualTo(responseType);
            assertThat(response.code()).isEqualTo(code);
            assertThat(response.token()).isEqualTo(request.token());
            if ("ACK".equals(responseType)) {
                assertThat(response.mid()).as("piggybacked: same message id").isEqualTo(request.mid());
            }
        });
    }

    // --- CORE

    @Test
    void TD_COAP_CORE_01_get_con() throws Exception {
        Libcoap.Run run = coap("-m", "get", uri("/key"));

        assertExchange(run, "CON", "ACK", "2.05");
        assertThat(run.last().options()).contains("Content-Format:application/cbor");
    }

    @Test
    void TD_COAP_CORE_04_post_con() throws Exception {
        int before = stored();
        Libcoap.Run run = coap("-m", "post", "-t", "110", "-e", Fixtures.senmlJson(4), uri("/t"));

        assertExchange(run, "CON", "ACK", "2.04");
        assertThat(stored()).isEqualTo(before + 1);
    }

    @Test
    void TD_COAP_CORE_05_get_non() throws Exception {
        Libcoap.Run run = coap("-N", "-m", "get", uri("/key"));

        assertExchange(run, "NON", "NON", "2.05");
        assertThat(run.last().options()).contains("Content-Format:application/cbor");
    }

    @Test
    void TD_COAP_CORE_08_post_non() throws Exception {
        int before = stored();
        Libcoap.Run run = coap("-N", "-m", "post", "-t", "112", "-f", file(Fixtures.SENML_CBOR_22_5).toString(), uri("/t"));

        assertExchange(run, "NON", "NON", "2.04");
        assertThat(stored()).isEqualTo(before + 1);
    }

    @Test
    void TD_COAP_CORE_10_get_with_non_empty_token() throws Exception {
        Libcoap.Run run = coap("-T", "cafe", "-m", "get", uri("/key"));

        assertExchange(run, "CON", "ACK", "2.05");
        // coap-client starts from the 4-byte token "cafe" and counts it up by one per request
        assertThat(run.last().token()).hasSize(8).startsWith("636166");
    }

    @Test
    void TD_COAP_CORE_13_get_with_several_uri_path_options() throws Exception {
        Libcoap.Run run = coap("-m", "get", uri("/.well-known/core"));

        assertThat(run.requests().get(0).options()).contains("Uri-Path:.well-known, Uri-Path:core");
        assertExchange(run, "CON", "ACK", "2.05");
    }

    @Test
    void TD_COAP_CORE_14_get_with_several_uri_query_options() throws Exception {
        Path links = out();
        Libcoap.Run run = coap("-o", links.toString(), "-m", "get", uri("/.well-known/core?ct=112&href=/t"));

        assertThat(run.requests().get(0).options()).contains("Uri-Query:ct=112, Uri-Query:href=/t");
        assertExchange(run, "CON", "ACK", "2.05");
        assertThat(Fixtures.links(Files.readString(links))).containsExactly("/t");
    }

    // --- LINK

    @Test
    void TD_COAP_LINK_01_discovery() throws Exception {
        Path links = out();
        Libcoap.Run run = coap("-o", links.toString(), uri("/.well-known/core"));

        assertExchange(run, "CON", "ACK", "2.05");
        assertThat(run.last().options()).contains("Content-Format:application/link-format");
        assertThat(Fixtures.links(Files.readString(links))).containsExactlyInAnyOrder("/key", "/t", "/fw", "/fw/image",
                "/fw/status"); // a sensor may send, rotate its key and use the firmware service
    }

    /** The TD filters by rt; our links carry ct instead (see {@link PlugtestCaliforniumTest}). */
    @Test
    void TD_COAP_LINK_02_filtered_discovery_by_ct() throws Exception {
        Path links = out();
        Libcoap.Run run = coap("-o", links.toString(), uri("/.well-known/core?ct=110"));

        assertExchange(run, "CON", "ACK", "2.05");
        assertThat(Fixtures.links(Files.readString(links))).containsExactly("/t");
    }

    @Test
    void TD_COAP_LINK_07_filtered_discovery_by_href() throws Exception {
        Path links = out();
        Libcoap.Run run = coap("-o", links.toString(), uri("/.well-known/core?href=/key"));

        assertExchange(run, "CON", "ACK", "2.05");
        assertThat(Fixtures.links(Files.readString(links))).containsExactly("/key");
    }

    // --- BLOCK

    /** Block2 early negotiation ({@code -b 32}) on discovery, the one GET resource larger than a small block. */
    @Test
    void TD_COAP_BLOCK_01_discovery_with_early_block2_negotiation() throws Exception {
        Path whole = out();
        coap("-o", whole.toString(), uri("/.well-known/core"));
        Path blockwise = out();

        Libcoap.Run run = coap("-b", "32", "-o", blockwise.toString(), uri("/.well-known/core"));

        List<Libcoap.Message> responses = run.responses();
        int expected = (int) ((Files.size(whole) + 31) / 32);
        assertThat(responses).as(run.output()).hasSize(expected);
        assertThat(responses).allSatisfy(r -> {
            assertThat(r.code()).isEqualTo("2.05");
            assertThat(r.options()).containsPattern("Block2:\\d+/[M_]/32");
        });
        assertThat(responses.get(0).options()).contains("Block2:0/M/32");
        assertThat(responses.get(expected - 1).options()).contains("Block2:" + (expected - 1) + "/_/32");
        assertThat(Files.readString(blockwise)).as("no gaps, right order").isEqualTo(Files.readString(whole));
    }

    /**
     * Block1 POST ({@code -b 64}) of a pack of exactly VIGIL.TELEMETRY_MAX_PAYLOAD (4096) bytes, by a device
     * whose profile allows more: 2.31 for
     * blocks 0..62 (M=1, atomic), 2.04 for block 63, every record stored. The TD's resource answers 2.01 +
     * Location-Path; {@code /t} creates no resource and answers 2.04.
     */
    @Test
    void TD_COAP_BLOCK_04_block1_post_of_a_pack_of_max_payload_is_stored() throws Exception {
        byte[] pack = Fixtures.senmlJsonOfSize(Fixtures.MAX_PAYLOAD);
        int before = stored(bulk);

        Libcoap.Run run = coapAt(7, bulkKey, "-b", "64", "-m", "post", "-t", "110", "-f", file(pack).toString(), uri("/t"));

        List<Libcoap.Message> responses = run.responses();
        assertThat(responses).as(run.output()).hasSize(64);
        assertThat(responses.subList(0, 63)).allSatisfy(r -> {
            assertThat(r.code()).isEqualTo("2.31");
            assertThat(r.options()).containsPattern("Block1:\\d+/M/64");
        });
        assertThat(run.last().code()).isEqualTo("2.04");
        assertThat(run.last().options()).contains("Block1:63/_/64");
        assertThat(stored(bulk)).isEqualTo(before + Fixtures.records(pack));
    }

    @Test
    void TD_COAP_BLOCK_04_block1_post_one_byte_over_max_payload_is_4_13() throws Exception {
        int before = stored(bulk);

        Libcoap.Run run = coapAt(7, bulkKey, "-b", "64", "-m", "post", "-t", "110", "-f",
                file(Fixtures.senmlJsonOfSize(Fixtures.MAX_PAYLOAD + 1)).toString(), uri("/t"));

        assertThat(run.last()).as(run.output()).isNotNull();
        assertThat(run.last().code()).isEqualTo("4.13");
        assertThat(run.last().options()).contains("Size1:" + Fixtures.MAX_PAYLOAD);
        assertThat(stored(bulk)).isEqualTo(before);
    }
}
