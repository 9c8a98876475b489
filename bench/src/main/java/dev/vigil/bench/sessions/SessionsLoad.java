package dev.vigil.bench.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.Child;
import dev.vigil.bench.Keys;
import dev.vigil.device.SenmlCbor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.elements.AddressEndpointContext;
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
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Child JVM: opens one DTLS session per device key, each from its own address (127.1.x.y, so the server
 * sees as many peers as sessions), sends one SenML CBOR reading over it and waits for the 2.04, then
 * drops the client side without a close_notify: the server keeps an established, idle session, as it
 * does for a device that went to sleep. Client connectors share one executor and live only as long as
 * their session takes to open, so 10,000 sessions cost a few threads at a time.
 */
public final class SessionsLoad {

    private SessionsLoad() {
    }

    /** args: keys file, server public key (base64), server port, parallel workers. */
    public static Child.Handler start(String[] args) throws Exception {
        JceProviderUtil.init();
        List<KeyPair> keys = Keys.read(Path.of(args[0]));
        PublicKey serverKey = Keys.publicKey(args[1]);
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2]));
        int workers = Integer.parseInt(args[3]);
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "sessions-load-executor");
            thread.setDaemon(true);
            return thread;
        });
        Configuration config = clientConfig();
        NewAdvancedCertificateVerifier trust = StaticNewAdvancedCertificateVerifier.builder()
                .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build();
        byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
        Child.reply(Child.object().put("keys", keys.size()));
        return command -> switch (command[0]) {
            case "open" -> open(keys, Integer.parseInt(command[1]), Integer.parseInt(command[2]), workers, server,
                    config, trust, shared, reading);
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }

    /** A short-lived device connector's configuration: DeviceClient's, one receiver thread, a tiny store. */
    public static Configuration clientConfig() {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        return config;
    }

    private static ObjectNode open(List<KeyPair> keys, int from, int to, int workers, InetSocketAddress server,
            Configuration config, NewAdvancedCertificateVerifier trust, ScheduledExecutorService shared,
            byte[] reading) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Thread thread = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    String error = session(i, 0, keys.get(i), server, config, trust, shared, reading);
                    if (error == null) {
                        opened.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        if (errors.size() < 5) {
                            errors.add("#" + i + ": " + error);
                        }
                    }
                }
            }, "sessions-load");
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        ObjectNode answer = Child.object().put("opened", opened.get()).put("failed", failed.get())
                .put("seconds", (System.nanoTime() - start) / 1e9);
        errors.forEach(answer.putArray("errors")::add);
        return answer;
    }

    /**
     * One device: handshake from 127.1.x.y (x.y from {@code index}) and {@code port} (0: any), one
     * confirmable POST /t, the 2.04; null on success. The client side is dropped without a close_notify.
     */
    public static String session(int index, int port, KeyPair key, InetSocketAddress server, Configuration config,
            NewAdvancedCertificateVerifier trust, ScheduledExecutorService shared, byte[] reading) {
        DTLSConnector connector = null;
        try {
            InetAddress local = InetAddress.getByAddress(new byte[] {127, 1, (byte) (index / 250),
                (byte) (index % 250 + 1)});
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress(local, port))
                    .setCertificateIdentityProvider(new SingleCertificateProvider(key.getPrivate(), key.getPublic())
                            .setVerifyKeyPair(false))
                    .setAdvancedCertificateVerifier(trust)
                    .build();
            connector = new DTLSConnector(dtls);
            connector.setExecutor(shared);
            CompletableFuture<byte[]> response = new CompletableFuture<>();
            connector.setRawDataReceiver(raw -> {
                byte[] bytes = raw.getBytes();
                if (bytes.length >= 2 && bytes[1] != 0) { // skip an empty ACK (separate response)
                    response.complete(bytes);
                }
            });
            connector.start();
            CompletableFuture<Throwable> sent = new CompletableFuture<>();
            connector.send(RawData.outbound(post(index, reading), new AddressEndpointContext(server),
                    new MessageCallback() {
                        @Override
                        public void onConnecting() {
                        }

                        @Override
                        public void onDtlsRetransmission(int flight) {
                        }

                        @Override
                        public void onContextEstablished(org.eclipse.californium.elements.EndpointContext context) {
                        }

                        @Override
                        public void onSent() {
                        }

                        @Override
                        public void onError(Throwable error) {
                            response.completeExceptionally(error);
                        }
                    }, false));
            byte[] answer = response.get(20, TimeUnit.SECONDS);
            if (answer.length < 2 || answer[1] != 0x44) {
                return "answer code byte 0x" + Integer.toHexString(answer.length < 2 ? -1 : answer[1] & 0xff);
            }
            return null;
        } catch (Exception e) {
            return e.toString();
        } finally {
            if (connector != null) {
                connector.destroy(); // no close_notify: the server keeps the session
            }
        }
    }

    /** CON POST /t, content-format 112 (SenML CBOR); message id and token from the device index. */
    public static byte[] post(int index, byte[] payload) {
        return dev.vigil.bench.CoapPost.reading(index & 0xFFFF, index, payload);
    }
}
