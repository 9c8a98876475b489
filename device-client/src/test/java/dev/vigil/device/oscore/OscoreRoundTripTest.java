package dev.vigil.device.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCoapStackFactory;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cf-oscore 3.13.0 on Californium core 3.14.0 (the version this build pins): the child's protected POST reaches a
 * plain 3.14.0 {@link CoapServer} running cf-oscore's stack, is verified there, and its protected answer is
 * verified by the child; a second child that does not continue the stored sequence number is refused as a replay.
 */
class OscoreRoundTripTest {

    private static final byte[] SECRET = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SALT = {1, 2, 3, 4, 5, 6, 7, 8};

    @TempDir
    Path dir;

    @Test
    void a_protected_post_round_trips_against_a_3_14_server_and_a_reused_sequence_number_is_refused() throws Exception {
        HashMapCtxDB serverContexts = new HashMapCtxDB();
        serverContexts.addContext(new OSCoreCtx(SECRET, false, AlgorithmID.AES_CCM_16_64_128, new byte[] {0},
                new byte[] {0x0a, 0x0b}, AlgorithmID.HKDF_HMAC_SHA_256, 32, SALT, null, 4096));
        AtomicReference<String> received = new AtomicReference<>();
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        CoapServer server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setCoapStackFactory(new OSCoreCoapStackFactory()).setCustomCoapStackArgument(serverContexts).build());
        server.add(new CoapResource("t") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                received.set(exchange.getRequestText() + " protected=" + (exchange.advanced()
                        .getCryptographicContextID() != null));
                exchange.respond(ResponseCode.CHANGED, "ok");
            }
        });
        server.start();
        try {
            Path context = dir.resolve("child.json");
            Files.writeString(context, """
                    {"name": "c1", "aead": "AES-CCM-16-64-128", "hkdf": "HKDF-SHA-256",
                     "masterSecret": "MDEyMzQ1Njc4OWFiY2RlZg==", "salt": "AQIDBAUGBwg=",
                     "senderId": "0a0b", "recipientId": "00"}
                    """);
            URI uri = URI.create("coap://127.0.0.1:" + server.getEndpoints().get(0).getAddress().getPort());
            try (OscoreChild child = new OscoreChild(context, uri).timeout(5_000)) {
                OscoreChild.Answer answer = child.post("/t", "21.5".getBytes(StandardCharsets.US_ASCII));
                assertThat(answer.code()).isEqualTo(ResponseCode.CHANGED);
                assertThat(new String(answer.payload(), StandardCharsets.US_ASCII)).isEqualTo("ok");
                assertThat(received.get()).isEqualTo("21.5 protected=true");
            }
            Files.delete(dir.resolve("child.json.seq")); // as if the child forgot where it was
            received.set(null);
            try (OscoreChild forgetful = new OscoreChild(context, uri).timeout(5_000)) {
                OscoreChild.Answer replay = forgetful.post("/t", "99".getBytes(StandardCharsets.US_ASCII));
                assertThat(replay.code()).isEqualTo(ResponseCode.UNAUTHORIZED);
                assertThat(received.get()).as("the resource never saw it").isNull();
            }
        } finally {
            server.destroy();
        }
    }
}
