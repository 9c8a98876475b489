package dev.vigil.bench.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.Child;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Probe;
import dev.vigil.bench.handshake.RotatingKeys;
import dev.vigil.device.KeyAlgorithm;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * Child JVM: devices with P-256 or Ed25519 keys doing full handshakes one after another, configured as
 * {@code DeviceClient} is (suites CCM_8 then GCM, X25519 then P-256 for the ECDHE, the signatures of
 * {@link KeyAlgorithm#handshakeSignatures()}). Per algorithm, one connector for the CPU rounds and one for the
 * wire counts, each presenting its own registered keys in turn, so that a key always comes from one address.
 * Each handshake carries a CoAP ping and ends when the server's Reset has come back.
 */
public final class KeysLoad {

    private static final long TIMEOUT_SECONDS = 15;

    /** One client connector and the reply it is waiting for. */
    private static final class Device {
        final DTLSConnector connector;
        final AtomicReference<CompletableFuture<Void>> reply = new AtomicReference<>(new CompletableFuture<>());
        final AtomicInteger retransmissions = new AtomicInteger();
        int messageId;

        Device(DTLSConnector connector) {
            this.connector = connector;
            connector.setRawDataReceiver(raw -> reply.get().complete(null));
        }

        /** A CoAP ping (empty CON, RFC 7252 §4.3) over the session to {@code server}; null once its Reset is in. */
        Throwable ping(InetSocketAddress server) {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            reply.set(answer);
            int mid = messageId++ & 0xffff;
            byte[] ping = {0x40, 0x00, (byte) (mid >> 8), (byte) mid};
            CompletableFuture<Throwable> sent = new CompletableFuture<>();
            connector.send(RawData.outbound(ping, new AddressEndpointContext(server), callback(sent, retransmissions),
                    false));
            try {
                Throwable error = sent.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (error != null) {
                    return error;
                }
                answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return null;
            } catch (Exception e) {
                return e;
            }
        }
    }

    private KeysLoad() {
    }

    /** args: P-256 keys file, Ed25519 keys file, server public key (base64 SPKI), keys kept for the wire counts. */
    public static Child.Handler start(String[] args) throws Exception {
        JceProviderUtil.init();
        PublicKey serverKey = Keys.publicKey(args[2]);
        int wireKeys = Integer.parseInt(args[3]);
        Map<String, Device> cpu = new LinkedHashMap<>();
        Map<String, Device> wire = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            List<KeyPair> keys = Keys.read(Path.of(args[i]));
            String name = KeyAlgorithm.of(keys.get(0).getPublic()).option();
            int split = keys.size() - wireKeys;
            cpu.put(name, new Device(connector(keys.subList(0, split), serverKey)));
            wire.put(name, new Device(connector(keys.subList(split, keys.size()), serverKey)));
        }
        for (Device device : cpu.values()) {
            device.connector.start();
        }
        for (Device device : wire.values()) {
            device.connector.start();
        }
        Child.reply(Child.object().put("usesBouncyCastle", JceProviderUtil.usesBouncyCastle())
                .put("providerVersion", JceProviderUtil.getProviderVersion()));
        return command -> {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(command[1]));
            return switch (command[0]) {
                case "run" -> run(cpu.get(command[2]), server, Integer.parseInt(command[3]));
                case "wire-first" -> once(wire.get(command[2]), server, true);
                case "wire-again" -> once(wire.get(command[2]), server, false);
                default -> throw new IllegalArgumentException("unknown command " + command[0]);
            };
        };
    }

    private static DTLSConnector connector(List<KeyPair> keys, PublicKey serverKey) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        config.setAsList(DtlsConfig.DTLS_CURVES, SupportedGroup.X25519, SupportedGroup.secp256r1);
        config.set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS,
                KeyAlgorithm.of(keys.get(0).getPublic()).handshakeSignatures());
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new RotatingKeys(keys, 0))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        return new DTLSConnector(dtls);
    }

    /** {@code count} full handshakes one after another; this JVM's CPU time over them, and its DTLS threads'. */
    private static ObjectNode run(Device device, InetSocketAddress server, int count) {
        long dtls0 = dtlsThreadNanos();
        long cpu0 = Probe.cpuNanos();
        long start = System.nanoTime();
        long completed = 0;
        int retransmitted = device.retransmissions.get();
        List<Double> latencies = new ArrayList<>(count);
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            device.connector.clearConnectionState();
            long t0 = System.nanoTime();
            Throwable error = device.ping(server);
            if (error == null) {
                completed++;
                latencies.add((System.nanoTime() - t0) / 1e6);
            } else if (errors.size() < 3) {
                errors.add(error.toString());
            }
        }
        long cpu = Probe.cpuNanos() - cpu0;
        long dtls = dtlsThreadNanos() - dtls0;
        ObjectNode answer = Child.object().put("completed", completed).put("failed", count - completed)
                .put("seconds", (System.nanoTime() - start) / 1e9).put("cpuNanos", cpu).put("dtlsNanos", dtls)
                .put("p50Ms", Fmt.median(latencies))
                .put("retransmissions", device.retransmissions.get() - retransmitted);
        errors.forEach(answer.putArray("errors")::add);
        return answer;
    }

    /** One ping: after a full handshake ({@code fresh}) or over the session it left. */
    private static ObjectNode once(Device device, InetSocketAddress server, boolean fresh) {
        if (fresh) {
            device.connector.clearConnectionState();
        }
        int before = device.retransmissions.get();
        Throwable error = device.ping(server);
        if (error != null) {
            throw new IllegalStateException((fresh ? "handshake + ping" : "ping") + " failed: " + error, error);
        }
        return Child.object().put("retransmissions", device.retransmissions.get() - before);
    }

    /** CPU time of this JVM's live DTLS threads (receiver, workers, timer), in ns. */
    static long dtlsThreadNanos() {
        long total = 0;
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = Probe.threadCpu().fields();
                it.hasNext();) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> thread = it.next();
            if (thread.getKey().startsWith("DTLS")) {
                total += thread.getValue().asLong();
            }
        }
        return total;
    }

    private static MessageCallback callback(CompletableFuture<Throwable> done,
            AtomicInteger retransmissions) {
        return new MessageCallback() {
            @Override
            public void onConnecting() {
            }

            @Override
            public void onDtlsRetransmission(int flight) {
                retransmissions.incrementAndGet();
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
