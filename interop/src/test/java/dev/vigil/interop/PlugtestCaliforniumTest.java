package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.server.VigilTestServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ETSI CoAP plugtest cases that concern Vigil's device resources, driven by a plain Californium client
 * ({@link CaliforniumPeer}) over DTLS/RPK. Ids and objectives are those of the ETSI CoAP#4 test
 * descriptions (github.com/cabo/td-coap4: base.yml, link.yml, block.yml), where CORE_01 GET CON,
 * 02 DELETE CON, 03 PUT CON, 04 POST CON, 05 GET NON, 06 DELETE NON, 07 PUT NON, 08 POST NON, 10 non-empty
 * token, 12 empty token, 13 several Uri-Path, 14 several Uri-Query, 20 Accept, 31 ping; LINK_01 discovery,
 * 02 filtered by rt, 07 href, 08 href prefix; BLOCK_01/02/06 Block2 GET (early/late/16-byte), 03 Block1 PUT,
 * 04 Block1 POST creating a resource, 05 POST with Block1 and Block2. (The 2012 plugtest numbered
 * differently: there CORE_02 was POST CON.) "Our resources" stand in for the TD's {@code /test}:
 * {@code GET /key} (a fresh rotation nonce, CBOR) and {@code POST /t} (telemetry).
 *
 * <p>Not applicable to Vigil today: CORE_02/03/06/07 (no resource takes DELETE or PUT; 4.05 is checked
 * below), CORE_09/11/16/17 (no separate responses), CORE_15 (needs a lossy gateway), CORE_18/19 (no
 * Location-Path/-Query), CORE_21/22/23 (no ETag, If-Match, If-None-Match), LINK_03..06/09 (no rt, if or sz
 * attributes, no hierarchy), BLOCK_02 (no resource larger than a block), BLOCK_03 (no PUT), BLOCK_05 (no
 * large response to a POST), OBS_* (no observable resource until {@code /cmd}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlugtestCaliforniumTest {

    private VigilTestServer server;
    /** A "sensor" (the shipped default policy: SenML up to 1024 bytes, 1/s burst 10). */
    private String device;
    private KeyPair key;
    /** A "bulk" device ({@link Fixtures#BULK_PROFILE}), for transfers up to VIGIL.TELEMETRY_MAX_PAYLOAD. */
    private String bulk;
    private KeyPair bulkKey;

    @BeforeAll
    void start() throws Exception {
        server = VigilTestServer.start();
        device = "plug-cf";
        key = Fixtures.p256();
        server.addDevice(device, key.getPublic(), "sensor");
        Fixtures.addProfile(server, "bulk", Fixtures.BULK_PROFILE);
        bulk = "plug-cf-bulk";
        bulkKey = Fixtures.p256();
        server.addDevice(bulk, bulkKey.getPublic(), "bulk");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private CaliforniumPeer peer() {
        return new CaliforniumPeer(server.deviceUri(), key, server.serverPublicKey());
    }

    private int stored() throws Exception {
        return stored(device);
    }

    private int stored(String name) throws Exception {
        return server.readings(name).size();
    }

    private static byte[] json(double value) {
        return Fixtures.senmlJson(value).getBytes(StandardCharsets.UTF_8);
    }

    // --- CORE

    @Test
    void TD_COAP_CORE_01_get_con() {
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.get("/key", Type.CON);

            Response response = reply.response();
            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(response.getType()).as("piggybacked").isEqualTo(Type.ACK);
            assertThat(response.getMID()).isEqualTo(reply.request().getMID());
            assertThat(response.getToken()).isEqualTo(reply.request().getToken());
            assertThat(response.getOptions().hasContentFormat()).isTrue();
            assertThat(response.getPayloadSize()).isPositive();
        }
    }

    @Test
    void TD_COAP_CORE_04_post_con() throws Exception {
        int before = stored();
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, json(4));

            Response response = reply.response();
            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(response.getType()).isEqualTo(Type.ACK);
            assertThat(response.getMID()).isEqualTo(reply.request().getMID());
            assertThat(response.getToken()).isEqualTo(reply.request().getToken());
        }
        assertThat(stored()).isEqualTo(before + 1);
    }

    @Test
    void TD_COAP_CORE_05_get_non() {
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.get("/key", Type.NON);

            Response response = reply.response();
            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(response.getType()).isEqualTo(Type.NON);
            assertThat(response.getToken()).isEqualTo(reply.request().getToken());
            assertThat(response.getOptions().hasContentFormat()).isTrue();
        }
    }

    @Test
    void TD_COAP_CORE_08_post_non() throws Exception {
        int before = stored();
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.NON, Fixtures.SENML_CBOR, Fixtures.SENML_CBOR_22_5);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
            assertThat(reply.response().getType()).isEqualTo(Type.NON);
            assertThat(reply.response().getToken()).isEqualTo(reply.request().getToken());
        }
        assertThat(stored()).isEqualTo(before + 1);
    }

    /** Not a TD of its own: what CORE_02/03/06/07 meet here, since no device resource takes PUT or DELETE. */
    @Test
    void put_and_delete_on_our_resources_are_4_05_and_store_nothing() throws Exception {
        int before = stored();
        try (CaliforniumPeer peer = peer()) {
            Request put = Request.newPut();
            put.getOptions().setContentFormat(Fixtures.SENML_JSON);
            put.setPayload(json(1));
            assertThat(peer.send("/t", put).code()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
            assertThat(peer.send("/t", Request.newDelete()).code()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
            assertThat(peer.send("/key", Request.newDelete()).code()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
        }
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void TD_COAP_CORE_10_get_with_non_empty_token() {
        try (CaliforniumPeer peer = peer()) {
            Request get = Request.newGet();
            Token token = new Token(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            get.setToken(token);
            CaliforniumPeer.Reply reply = peer.send("/key", get);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.response().getToken()).isEqualTo(token);
            assertThat(reply.response().getMID()).isEqualTo(get.getMID());
        }
    }

    @Test
    void TD_COAP_CORE_12_get_with_empty_token() {
        try (CaliforniumPeer peer = peer()) {
            Request get = Request.newGet();
            get.setToken(Token.EMPTY);
            CaliforniumPeer.Reply reply = peer.send("/key", get);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.response().getToken().length()).isZero();
        }
    }

    @Test
    void TD_COAP_CORE_13_get_with_several_uri_path_options() {
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.get("/.well-known/core", Type.CON);

            assertThat(reply.request().getOptions().getUriPath()).containsExactly(".well-known", "core");
            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.response().getOptions().getContentFormat()).isEqualTo(Fixtures.LINK_FORMAT);
        }
    }

    @Test
    void TD_COAP_CORE_14_get_with_several_uri_query_options() {
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.get("/.well-known/core?ct=112&href=/t", Type.CON);

            assertThat(reply.request().getOptions().getUriQuery()).containsExactly("ct=112", "href=/t");
            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(Fixtures.links(reply.text())).containsExactly("/t");
        }
    }

    @Test
    void TD_COAP_CORE_20_get_with_accept_in_the_format_served() {
        try (CaliforniumPeer peer = peer()) {
            Request get = Request.newGet();
            get.getOptions().setAccept(Fixtures.LINK_FORMAT);
            CaliforniumPeer.Reply reply = peer.send("/.well-known/core", get);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.response().getOptions().getContentFormat()).isEqualTo(Fixtures.LINK_FORMAT);
        }
    }

    @Test
    void TD_COAP_CORE_20_get_with_accept_in_another_format() {
        try (CaliforniumPeer peer = peer()) {
            Request get = Request.newGet();
            get.getOptions().setAccept(Fixtures.JSON);
            CaliforniumPeer.Reply reply = peer.send("/key", get);

            if (reply.code() == ResponseCode.CONTENT) {
                assertThat(reply.response().getOptions().getContentFormat()).isEqualTo(Fixtures.JSON);
            } else {
                assertThat(reply.code()).isEqualTo(ResponseCode.NOT_ACCEPTABLE);
            }
        }
    }

    @Test
    void TD_COAP_CORE_31_ping() {
        try (CaliforniumPeer peer = peer()) {
            assertThat(peer.ping()).as("an empty CON is answered with a RST").isTrue();
        }
    }

    // --- LINK

    @Test
    void TD_COAP_LINK_01_discovery() {
        try (CaliforniumPeer peer = peer()) {
            CaliforniumPeer.Reply reply = peer.get("/.well-known/core", Type.CON);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.response().getOptions().getContentFormat()).isEqualTo(Fixtures.LINK_FORMAT);
            assertThat(Fixtures.links(reply.text())).containsExactlyInAnyOrder("/key", "/t", "/fw", "/fw/image",
                    "/fw/status"); // a sensor may send, rotate its key and use the firmware service
            assertThat(reply.text()).contains("</t>;ct=\"110 112\"");
        }
    }

    /** The TD filters by rt=Type1; our links carry ct, not rt, so the filter is ct (RFC 6690 §4.1 allows any attribute). */
    @Test
    void TD_COAP_LINK_02_filtered_discovery_by_ct() {
        try (CaliforniumPeer peer = peer()) {
            assertThat(Fixtures.links(peer.get("/.well-known/core?ct=112", Type.CON).text())).containsExactly("/t");
            assertThat(Fixtures.links(peer.get("/.well-known/core?ct=110", Type.CON).text())).containsExactly("/t");
            CaliforniumPeer.Reply none = peer.get("/.well-known/core?ct=50", Type.CON);
            assertThat(none.code()).isEqualTo(ResponseCode.CONTENT);
            assertThat(Fixtures.links(none.text())).isEmpty();
        }
    }

    @Test
    void TD_COAP_LINK_07_filtered_discovery_by_href() {
        try (CaliforniumPeer peer = peer()) {
            assertThat(Fixtures.links(peer.get("/.well-known/core?href=/key", Type.CON).text())).containsExactly("/key");
        }
    }

    @Test
    void TD_COAP_LINK_08_filtered_discovery_by_href_prefix() {
        try (CaliforniumPeer peer = peer()) {
            assertThat(Fixtures.links(peer.get("/.well-known/core?href=/k*", Type.CON).text())).containsExactly("/key");
        }
    }

    /** Not a TD: a filter never widens what a caller's standing lets it discover. */
    @Test
    void a_filtered_discovery_by_an_unknown_key_still_shows_only_enroll() {
        try (CaliforniumPeer stranger = new CaliforniumPeer(server.deviceUri(), Fixtures.p256(), server.serverPublicKey())) {
            assertThat(Fixtures.links(stranger.get("/.well-known/core?href=/t", Type.CON).text())).isEmpty();
            assertThat(Fixtures.links(stranger.get("/.well-known/core?href=/*", Type.CON).text()))
                    .containsExactly("/enroll");
        }
    }

    // --- BLOCK

    /** Block2 early negotiation at 16 bytes on the one GET resource larger than that: discovery. */
    @Test
    void TD_COAP_BLOCK_06_discovery_in_16_byte_blocks() {
        List<BlockOption> blocks = new CopyOnWriteArrayList<>();
        try (CaliforniumPeer peer = peer()) {
            String whole = peer.get("/.well-known/core", Type.CON).text();
            peer.intercept(new MessageInterceptorAdapter() {
                @Override
                public void receiveResponse(Response response) {
                    if (response.getOptions().hasBlock2()) {
                        blocks.add(response.getOptions().getBlock2());
                    }
                }
            });
            Request get = Request.newGet();
            get.getOptions().setBlock2(BlockOption.size2Szx(16), false, 0);
            CaliforniumPeer.Reply reply = peer.send("/.well-known/core", get);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CONTENT);
            assertThat(reply.text()).as("reassembled, no gaps, right order").isEqualTo(whole);
            assertThat(blocks).hasSize((whole.length() + 15) / 16);
            assertThat(blocks).allSatisfy(b -> assertThat(b.getSize()).isEqualTo(16));
            assertThat(blocks.get(0).isM()).isTrue();
            assertThat(blocks.get(blocks.size() - 1).isM()).isFalse();
        }
    }

    /**
     * Block1 POST of a telemetry pack of exactly VIGIL.TELEMETRY_MAX_PAYLOAD (4096) bytes in 256-byte blocks,
     * by a device whose profile allows more: 2.31 Continue (M=1, atomic) for each block but the last, then
     * 2.04 and every record stored. The TD's resource creates something (2.01 + Location-Path); {@code /t}
     * does not, so it answers 2.04.
     */
    @Test
    void TD_COAP_BLOCK_04_block1_post_of_a_pack_of_max_payload_is_stored() throws Exception {
        byte[] pack = Fixtures.senmlJsonOfSize(Fixtures.MAX_PAYLOAD);
        List<Response> answers = new CopyOnWriteArrayList<>();
        int before = stored(bulk);
        try (CaliforniumPeer peer = blockwisePeer(bulkKey, answers)) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, pack);

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(answers).hasSize(16);
        assertThat(answers.subList(0, 15)).allSatisfy(r -> {
            assertThat(r.getCode()).isEqualTo(ResponseCode.CONTINUE);
            assertThat(r.getOptions().getBlock1().isM()).isTrue();
        });
        assertThat(answers.get(15).getOptions().getBlock1().getNum()).isEqualTo(15);
        assertThat(answers.get(15).getOptions().getBlock1().isM()).isFalse();
        assertThat(stored(bulk)).isEqualTo(before + Fixtures.records(pack));
    }

    /** Block1 POST one byte over VIGIL.TELEMETRY_MAX_PAYLOAD: 4.13 with Size1 = 4096, nothing stored. */
    @Test
    void TD_COAP_BLOCK_04_block1_post_one_byte_over_max_payload_is_4_13() throws Exception {
        int before = stored(bulk);
        try (CaliforniumPeer peer = blockwisePeer(bulkKey, new CopyOnWriteArrayList<>())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON,
                    Fixtures.senmlJsonOfSize(Fixtures.MAX_PAYLOAD + 1));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            assertThat(reply.response().getOptions().getSize1()).isEqualTo(Fixtures.MAX_PAYLOAD);
        }
        assertThat(stored(bulk)).isEqualTo(before);
    }

    /** Far over the limit (past Californium's own 8 KiB body limit too): still 4.13 and nothing stored. */
    @Test
    void TD_COAP_BLOCK_04_block1_post_far_over_max_payload_is_4_13() throws Exception {
        int before = stored(bulk);
        try (CaliforniumPeer peer = blockwisePeer(bulkKey, new CopyOnWriteArrayList<>())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, Fixtures.senmlJsonOfSize(9_000));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        }
        assertThat(stored(bulk)).isEqualTo(before);
    }

    @Test
    void TD_COAP_BLOCK_04_block1_post_far_over_max_payload_tells_the_telemetry_limit_in_size1() throws Exception {
        try (CaliforniumPeer peer = blockwisePeer(bulkKey, new CopyOnWriteArrayList<>())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, Fixtures.senmlJsonOfSize(9_000));

            assertThat(reply.code()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            assertThat(reply.response().getOptions().getSize1()).isEqualTo(Fixtures.MAX_PAYLOAD);
        }
    }

    /** A "sensor" (profile maxPayload 1024) sending 1025 bytes block-wise: the policy gate answers 4.13. */
    @Test
    void TD_COAP_BLOCK_04_block1_post_over_the_profile_max_payload_is_4_13() throws Exception {
        int before = stored();
        try (CaliforniumPeer peer = blockwisePeer(key, new CopyOnWriteArrayList<>())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, Fixtures.senmlJsonOfSize(1025));

            assertThat(reply.code()).as(reply.toString()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        }
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void TD_COAP_BLOCK_04_block1_post_over_the_profile_max_payload_tells_the_limit_in_size1() {
        try (CaliforniumPeer peer = blockwisePeer(key, new CopyOnWriteArrayList<>())) {
            CaliforniumPeer.Reply reply = peer.post("/t", Type.CON, Fixtures.SENML_JSON, Fixtures.senmlJsonOfSize(1025));

            assertThat(reply.code()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            assertThat(reply.response().getOptions().hasSize1()).isTrue();
            assertThat(reply.response().getOptions().getSize1()).isEqualTo(1024);
        }
    }

    /** A client whose payloads over 256 bytes go block-wise (Block1, 256-byte blocks); sees every response. */
    private CaliforniumPeer blockwisePeer(KeyPair own, List<Response> answers) {
        return new CaliforniumPeer(server.deviceUri(), own, server.serverPublicKey(), config -> {
            config.set(CoapConfig.MAX_MESSAGE_SIZE, 256);
            config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 256);
        }).intercept(new MessageInterceptorAdapter() {
            @Override
            public void receiveResponse(Response response) {
                answers.add(response);
            }
        });
    }
}
