package dev.vigil.bench.handshake;

import dev.vigil.bench.Child;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Probe;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.server.VigilServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.JceProviderUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * Child JVM: one handshake server. {@code vigil}: a Vigil node on a copy of the template data directory
 * (100,000 registered devices). {@code plain}: a Scandium {@code DTLSConnector} with its defaults, the
 * same server key, and a {@code StaticNewAdvancedCertificateVerifier} trusting the load's device keys.
 * The JCE provider is whatever CALIFORNIUM_JCE_PROVIDER says for this JVM.
 */
public final class HandshakeServer {

    private HandshakeServer() {
    }

    /** args: variant (vigil|plain), template data dir, keys file. */
    public static Child.Handler start(String[] args) throws Exception {
        String variant = args[0];
        Path template = Path.of(args[1]);
        List<KeyPair> keys = Keys.read(Path.of(args[2]));
        JceProviderUtil.init();
        Path work = Files.createTempDirectory("vigil-bench-hs-");
        copy(template, work.resolve("data"));
        DataDir dir = new DataDir(work.resolve("data"));
        KeyPair serverKey = PemFiles.readKeyPair(dir.serverKey());
        VigilServer vigil = null;
        DTLSConnector plain = null;
        LongAdder plainHandshakes = new LongAdder();
        int port;
        if (variant.equals("vigil")) {
            vigil = VigilServer.start(dir, Fixtures.serverConfig(10), Clock.systemUTC());
            port = vigil.deviceAddress().getPort();
        } else {
            Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                    DtlsConfig.DEFINITIONS);
            RawPublicKeyIdentity[] trusted = keys.stream().map(k -> new RawPublicKeyIdentity(k.getPublic()))
                    .toArray(RawPublicKeyIdentity[]::new);
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress("127.0.0.1", 0))
                    .setCertificateIdentityProvider(new SingleCertificateProvider(serverKey.getPrivate(),
                            serverKey.getPublic()))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                            .setTrustedRPKs(trusted).build())
                    .build();
            plain = new DTLSConnector(dtls);
            plain.setRawDataReceiver(raw -> plainHandshakes.increment());
            plain.start();
            port = plain.getAddress().getPort();
        }
        Signature signature = Signature.getInstance("SHA256withECDSA");
        Child.reply(Child.object().put("port", port).put("variant", variant)
                .put("signatureProvider", signature.getProvider().getName())
                .put("keyAgreementProvider", javax.crypto.KeyAgreement.getInstance("ECDH").getProvider().getName())
                .put("usesBouncyCastle", JceProviderUtil.usesBouncyCastle())
                .put("providerVersion", JceProviderUtil.getProviderVersion()));
        VigilServer server = vigil;
        DTLSConnector plainConnector = plain;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (server != null) {
                server.close();
            }
            if (plainConnector != null) {
                plainConnector.destroy();
            }
            dev.vigil.bench.Ctx.deleteTree(work);
        }));
        Probe.Sampler[] sampler = new Probe.Sampler[1];
        return command -> switch (command[0]) {
            case "stats" -> Child.object().put("cpuNanos", Probe.cpuNanos()).put("gcMillis", Probe.gcMillis())
                    .put("sysMillis", Probe.cpuSplitMillis()[1]).put("jitMillis", Probe.jitMillis())
                    .put("handshakes", server != null ? server.fullDeviceHandshakes() : plainHandshakes.sum())
                    .set("threads", Probe.threadCpu());
            case "profile-start" -> {
                sampler[0] = new Probe.Sampler(4);
                yield Child.object();
            }
            case "profile-stop" -> sampler[0].stop();
            case "heap" -> Child.object().put("heapAfterGc", Probe.heapAfterGc())
                    .put("connections", dev.vigil.server.BenchAccess.established(
                            server != null ? dev.vigil.server.BenchAccess.deviceConnector(server) : plainConnector));
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
