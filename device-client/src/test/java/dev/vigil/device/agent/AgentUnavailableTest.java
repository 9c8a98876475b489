package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vigil.device.DeviceKeys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent against a plain Californium 3.14 DTLS server that is busy once: its first POST to {@code /t} is answered
 * 5.03 Service Unavailable with Max-Age 1, the next 2.04. The agent waits the second it was told (not its own
 * backoff, which starts below a second), keeps the reading meanwhile, sends it again and says so in its log.
 */
class AgentUnavailableTest {

    @TempDir
    Path state;

    private CoapServer server;
    private final List<Long> posts = new CopyOnWriteArrayList<>(); // the time of each POST to /t
    private final List<String> stored = new CopyOnWriteArrayList<>(); // the s= query of each 2.04
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @AfterEach
    void stop() {
        Logger agentLog = (Logger) LoggerFactory.getLogger(Agent.class);
        agentLog.detachAppender(log);
        agentLog.setLevel(null);
        if (server != null) {
            server.destroy();
        }
    }

    @Test
    void a_5_03_with_max_age_1_is_retried_after_that_second_and_the_reading_is_stored_once() throws Exception {
        KeyPair device = DeviceKeys.generate(state);
        KeyPair serverKey = p256();
        Files.writeString(state.resolve("server.pub.pem"), pem(serverKey), StandardCharsets.US_ASCII);
        int port = startServer(serverKey, device);
        log.start();
        Logger agentLog = (Logger) LoggerFactory.getLogger(Agent.class);
        agentLog.setLevel(ch.qos.logback.classic.Level.INFO); // the agent's events are INFO; tests log WARN and up
        agentLog.addAppender(log);

        try (Agent agent = new Agent(AgentConfig.load(state, Map.of("server", "coaps://127.0.0.1:" + port,
                "sources", "sim", "interval", "1h", "timeout", "5s")))) {
            agent.run(1); // one reading, then sending until the queue is empty
        }

        assertThat(posts).hasSize(2);
        assertThat(posts.get(1) - posts.get(0)).as("ms between the 5.03 and the retry").isGreaterThanOrEqualTo(1000);
        assertThat(stored).as("acknowledged once, by its number").containsExactly("s=1");
        try (ReadingQueue queue = ReadingQueue.open(state.resolve("queue"), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.depth()).as("acknowledged, so no longer queued").isZero();
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("event=unavailable")
                        .contains("5.03, Max-Age 1 s").contains("readings kept for the retry"));
    }

    private int startServer(KeyPair serverKey, KeyPair device) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 6);
        config.set(CoapConfig.RESPONSE_MATCHING, CoapConfig.MatcherMode.PRINCIPAL);
        DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(serverKey.getPrivate(),
                        serverKey.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(device.getPublic())).build())
                .build());
        server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build());
        server.add(new CoapResource("t") {
            @Override
            public void handlePOST(CoapExchange exchange) {
                posts.add(System.nanoTime() / 1_000_000);
                if (posts.size() == 1) {
                    Response busy = new Response(ResponseCode.SERVICE_UNAVAILABLE);
                    busy.getOptions().setMaxAge(1);
                    exchange.respond(busy);
                    return;
                }
                stored.add(String.join("&", exchange.getRequestOptions().getUriQuery()));
                exchange.respond(ResponseCode.CHANGED);
            }
        });
        server.start();
        return server.getEndpoints().get(0).getAddress().getPort();
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pem(KeyPair key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }
}
