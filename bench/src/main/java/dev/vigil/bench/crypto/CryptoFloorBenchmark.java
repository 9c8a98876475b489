package dev.vigil.bench.crypto;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The crypto floor of one side of a full ECDHE-ECDSA handshake: one signature (ServerKeyExchange), one
 * verification (the client's CertificateVerify), one ephemeral key generation and one key agreement.
 * Nothing else a handshake does (PRF, hashing, records, I/O) is counted, so {@code 1 / handshake} is
 * the most handshakes one core could complete with that provider and those algorithms.
 * {@code sign}, {@code verify} and {@code ecdh} are the parts alone.
 *
 * <p>As in a real handshake, every verification and every agreement uses another peer's key, decoded
 * from its encoded form (SubjectPublicKeyInfo) as it arrives on the wire: Bouncy Castle caches
 * precomputed multiples on a point object, so reusing one peer key object would measure a cache no
 * server ever hits.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class CryptoFloorBenchmark {

    /** provider-signature[/key exchange]: P256 = ECDSA P-256 (and ECDH P-256 unless +X25519 is given). */
    @Param({"SunEC-P256", "SunEC-P256+X25519", "BC-P256", "BC-P256+X25519", "SunEC-Ed25519/X25519",
        "BC-Ed25519/X25519"})
    public String suite;

    private Signature signer;
    private Signature verifier;
    private KeyPairGenerator ephemeral;
    private KeyAgreement agreement;
    private KeyFactory signatureKeys;
    private KeyFactory agreementKeys;
    private KeyPair own;
    private byte[] message;
    /** Peers: their signature key (SPKI), their signature over the message, their ephemeral key (SPKI). */
    private byte[][] peerKeys;
    private byte[][] peerSignatures;
    private byte[][] peerEphemerals;
    private int next;
    private static final int PEERS = 512;

    @Setup
    public void setUp() throws Exception {
        Provider provider = suite.startsWith("BC") ? new BouncyCastleProvider() : Security.getProvider("SunEC");
        boolean ed25519 = suite.contains("Ed25519");
        boolean x25519 = suite.contains("X25519");
        KeyPairGenerator signing = KeyPairGenerator.getInstance(ed25519 ? "Ed25519" : "EC", provider);
        if (!ed25519) {
            signing.initialize(new ECGenParameterSpec("secp256r1"));
        }
        own = signing.generateKeyPair();
        String algorithm = ed25519 ? "Ed25519" : "SHA256withECDSA";
        signer = Signature.getInstance(algorithm, provider);
        verifier = Signature.getInstance(algorithm, provider);
        // what ServerKeyExchange signs: both randoms, the curve, the ephemeral point (~133 bytes)
        message = new byte[133];
        new Random(7).nextBytes(message);
        ephemeral = KeyPairGenerator.getInstance(x25519 ? "X25519" : "EC", provider);
        if (!x25519) {
            ephemeral.initialize(new ECGenParameterSpec("secp256r1"));
        }
        agreement = KeyAgreement.getInstance(x25519 ? "X25519" : "ECDH", provider);
        signatureKeys = KeyFactory.getInstance(ed25519 ? "Ed25519" : "EC", provider);
        agreementKeys = KeyFactory.getInstance(x25519 ? "X25519" : "EC", provider);
        Signature peerSigner = Signature.getInstance(algorithm, provider);
        peerKeys = new byte[PEERS][];
        peerSignatures = new byte[PEERS][];
        peerEphemerals = new byte[PEERS][];
        for (int i = 0; i < PEERS; i++) {
            KeyPair peer = signing.generateKeyPair();
            peerSigner.initSign(peer.getPrivate());
            peerSigner.update(message);
            peerKeys[i] = peer.getPublic().getEncoded();
            peerSignatures[i] = peerSigner.sign();
            peerEphemerals[i] = ephemeral.generateKeyPair().getPublic().getEncoded();
        }
    }

    private int nextPeer() {
        int peer = next;
        next = peer + 1 == PEERS ? 0 : peer + 1;
        return peer;
    }

    @Benchmark
    public int handshake() throws Exception {
        return sign().length + (verify() ? 1 : 0) + ecdh().length;
    }

    @Benchmark
    public byte[] sign() throws Exception {
        signer.initSign(own.getPrivate());
        signer.update(message);
        return signer.sign();
    }

    @Benchmark
    public boolean verify() throws Exception {
        int peer = nextPeer();
        verifier.initVerify(signatureKeys.generatePublic(new X509EncodedKeySpec(peerKeys[peer])));
        verifier.update(message);
        if (!verifier.verify(peerSignatures[peer])) {
            throw new IllegalStateException("signature does not verify");
        }
        return true;
    }

    @Benchmark
    public byte[] ecdh() throws Exception {
        KeyPair pair = ephemeral.generateKeyPair();
        agreement.init(pair.getPrivate());
        agreement.doPhase(agreementKeys.generatePublic(new X509EncodedKeySpec(peerEphemerals[nextPeer()])), true);
        return agreement.generateSecret();
    }
}
