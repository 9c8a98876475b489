package dev.vigil.provisioning.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The private key forms people make: PKCS#8 ({@code PRIVATE KEY}: OpenSSL's {@code genpkey}, {@code vigil keygen})
 * and SEC1 ({@code EC PRIVATE KEY}: {@code openssl ecparam -genkey}, its curve inside the key or in an
 * {@code EC PARAMETERS} block before it). Decoded with Bouncy Castle's ASN.1 classes; the public key is derived
 * from the private key (d·G on P-256, or from the Ed25519 seed), so a file needs no {@code PUBLIC KEY} block. Only
 * EC P-256 and Ed25519 pass; anything else is an IOException of one line naming the source. The keys returned are
 * the JDK's (from its key factories), as everywhere else.
 */
final class PrivateKeyForms {

    /** 1.3.101.112 (RFC 8410); Bouncy Castle keeps its constant in bcutil, which Vigil does not use. */
    private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
    private static final String ONLY = "; Vigil keys are EC P-256 or Ed25519";

    private PrivateKeyForms() {
    }

    /** The key pair of the first private key block in {@code text}. */
    static KeyPair read(String text, String source) throws IOException {
        PrivateKeyInfo info = privateKeyInfo(text, source);
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        try {
            if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                requireP256(info.getPrivateKeyAlgorithm().getParameters(), source);
                PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                return new KeyPair(PemFiles.decodePublicKey(p256PublicKey(info, source), source), key);
            }
            if (algorithm.equals(ED25519)) {
                PrivateKey key = KeyFactory.getInstance("Ed25519")
                        .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                return new KeyPair(PemFiles.decodePublicKey(ed25519PublicKey(info, source), source), key);
            }
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            if (e instanceof IOException io && io.getMessage().startsWith(source + ": ")) {
                throw io;
            }
            throw new IOException(source + ": the private key is not a valid EC P-256 or Ed25519 key");
        }
        throw new IOException(source + ": "
                + (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption) ? "an RSA key" : "not an EC key") + ONLY);
    }

    private static PrivateKeyInfo privateKeyInfo(String text, String source) throws IOException {
        if (PemFiles.has(text, "PRIVATE KEY")) {
            byte[] der = PemFiles.find(text, "PRIVATE KEY", source);
            try {
                return PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
            } catch (IOException | RuntimeException e) {
                throw new IOException(source + ": the PRIVATE KEY block is not a PKCS#8 private key");
            }
        }
        if (PemFiles.has(text, "EC PRIVATE KEY")) {
            return sec1(text, PemFiles.find(text, "EC PRIVATE KEY", source), source);
        }
        if (PemFiles.has(text, "RSA PRIVATE KEY")) {
            throw new IOException(source + ": an RSA key" + ONLY);
        }
        if (PemFiles.has(text, "ENCRYPTED PRIVATE KEY")) {
            throw new IOException(source + ": an encrypted private key; store it unencrypted (mode 0600)");
        }
        throw new IOException(source + ": no PRIVATE KEY or EC PRIVATE KEY block found");
    }

    /** A SEC1 ECPrivateKey (RFC 5915) as PKCS#8, its curve from the key or the {@code EC PARAMETERS} block. */
    private static PrivateKeyInfo sec1(String text, byte[] der, String source) throws IOException {
        ECPrivateKey key;
        ASN1Encodable curve;
        try {
            key = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(der));
            key.getKey();
            curve = key.getParametersObject();
            if (curve == null && PemFiles.has(text, "EC PARAMETERS")) {
                curve = ASN1Primitive.fromByteArray(PemFiles.find(text, "EC PARAMETERS", source));
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(source + ": the EC PRIVATE KEY block is not an EC private key");
        }
        if (curve == null) {
            throw new IOException(source + ": the EC PRIVATE KEY names no curve (and there is no EC PARAMETERS block)");
        }
        requireP256(curve, source);
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key);
    }

    private static void requireP256(Object curve, String source) throws IOException {
        if (!SECObjectIdentifiers.secp256r1.equals(curve)) {
            throw new IOException(source + ": an EC key on a curve other than P-256" + ONLY);
        }
    }

    /** The SubjectPublicKeyInfo of d·G. */
    private static byte[] p256PublicKey(PrivateKeyInfo info, String source) throws IOException {
        BigInteger d = ECPrivateKey.getInstance(info.parsePrivateKey()).getKey();
        X9ECParameters curve = CustomNamedCurves.getByOID(SECObjectIdentifiers.secp256r1);
        if (d.signum() <= 0 || d.compareTo(curve.getN()) >= 0) {
            throw new IOException(source + ": the EC private key is out of range");
        }
        byte[] point = new FixedPointCombMultiplier().multiply(curve.getG(), d).normalize().getEncoded(false);
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECObjectIdentifiers.secp256r1), point).getEncoded();
    }

    /** The SubjectPublicKeyInfo of an Ed25519 key's seed (RFC 8410 §7). */
    private static byte[] ed25519PublicKey(PrivateKeyInfo info, String source) throws IOException {
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IOException(source + ": the Ed25519 private key is not 32 bytes");
        }
        byte[] point = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(ED25519), point).getEncoded();
    }
}
