package dev.vigil.bench.handshake;

import dev.vigil.bench.Child;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Probe;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.elements.AddressEndpointContext;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.elements.MessageCallback;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.JceProviderUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Child JVM: the handshake load. Several client threads, each with its own Scandium client connector;
 * before every handshake the connector forgets all connection state (so each one is a full handshake,
 * never a resumption) and presents the next device key of the pool. A handshake counts as completed
 * when the CoAP ping that triggered it has been sent over the new session.
 */
public final class HandshakeLoad {

    /** A CoAP CON ping (empty message): the server answers with a RST; 4 bytes of application data. */
    private static final byte[] PING = {0x40, 0x00, 0x12, 0x34};
    static final Map<String, SupportedGroup[]> CURVES = new LinkedHashMap<>();

    static {
        // Scandium's default preference (what a DeviceClient offers): P-256 first
        CURVES.put("p256", new SupportedGroup[] {SupportedGroup.secp256r1, SupportedGroup.X25519});
        CURVES.put("x25519", new SupportedGroup[] {SupportedGroup.X25519, SupportedGroup.secp256r1});
    }

    private HandshakeLoad() {
    }

    /** args: keys file, server public key (base64 SPKI), client threads. */
    public static Child.Handler start(String[] args) throws Exception {
        JceProviderUtil.init();
        List<KeyPair> keys = Keys.read(Path.of(args[0]));
        PublicKey serverKey = Keys.publicKey(args[1]);
        int threads = Integer.parseInt(args[2]);
        Map<String, List<DTLSConnector>> connectors = new LinkedHashMap<>();
        int offset = 0;
        for (Map.Entry<String, SupportedGroup[]> mode : CURVES.entrySet()) {
            List<DTLSConnector> set = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                DTLSConnector connector = connector(keys, offset, serverKey, mode.getValue());
                offset += keys.size() / (threads * CURVES.size());
                connector.start();
                set.add(connector);
            }
            connectors.put(mode.getKey(), set);
        }
        Child.reply(Child.object().put("threads", threads)
                .put("usesBouncyCastle", JceProviderUtil.usesBouncyCastle()));
        return command -> switch (command[0]) {
            case "round" -> round(connectors.get(command[3]),
                    new InetSocketAddress("127.0.0.1", Integer.parseInt(command[1])), Double.parseDouble(command[2]));
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }

    private static DTLSConnector connector(List<KeyPair> keys, int start, PublicKey serverKey, SupportedGroup[] curves) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        config.setAsList(DtlsConfig.DTLS_CURVES, curves);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new RotatingKeys(keys, start))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        DTLSConnector connector = new DTLSConnector(dtls);
        connector.setRawDataReceiver(raw -> {
        });
        return connector;
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode round(List<DTLSConnector> connectors,
            InetSocketAddress server, double seconds) throws InterruptedException {
        long cpu0 = Probe.cpuNanos();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> workers = new ArrayList<>();
        for (DTLSConnector connector : connectors) {
            Thread worker = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    connector.clearConnectionState();
                    long t0 = System.nanoTime();
                    CompletableFuture<Throwable> done = new CompletableFuture<>();
                    connector.send(RawData.outbound(PING, new AddressEndpointContext(server), callback(done), false));
                    Throwable error;
                    try {
                        error = done.get(15, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        error = e;
                    }
                    if (error == null) {
                        completed.incrementAndGet();
                        latencies.add((System.nanoTime() - t0) / 1e6);
                    } else {
                        failed.incrementAndGet();
                        if (errors.size() < 5) {
                            errors.add(error.toString());
                        }
                    }
                }
            }, "handshake-load");
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        var answer = Child.object().put("completed", completed.get()).put("failed", failed.get())
                .put("seconds", elapsed).put("cpuNanos", Probe.cpuNanos() - cpu0)
                .put("p50Ms", Fmt.median(latencies)).put("p99Ms", Fmt.percentile(latencies, 99));
        errors.forEach(answer.putArray("errors")::add);
        return answer;
    }

    private static MessageCallback callback(CompletableFuture<Throwable> done) {
        return new MessageCallback() {
            @Override
            public void onConnecting() {
            }

            @Override
            public void onDtlsRetransmission(int flight) {
            }

            @Override
            public void onContextEstablished(EndpointContext context) {
            }

            @Override
            public void onSent() {
                done.complete(null);
            }

            @Override
            public void onError(Throwable error) {
                done.complete(error == null ? new IllegalStateException("send failed") : error);
            }
        };
    }
}
