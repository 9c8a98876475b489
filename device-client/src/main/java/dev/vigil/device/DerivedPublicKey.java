package dev.vigil.device;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.NamedParameterSpec;

/**
 * The public key of a private key read without its {@code PUBLIC KEY} block. The JDK has no call for it: an EC
 * P-256 public key is computed as d·G (affine double-and-add over the JDK's curve parameters; run once per key file
 * read on the device, never on data from the network), an Ed25519 one by the JDK's key pair generator fed the
 * key's seed as its randomness.
 */
final class DerivedPublicKey {

    private DerivedPublicKey() {
    }

    static PublicKey of(PrivateKey key, byte[] pkcs8, String source) throws IOException {
        try {
            if (key instanceof ECPrivateKey ec) {
                ECParameterSpec params = ec.getParams();
                BigInteger d = ec.getS();
                if (d.signum() <= 0 || d.compareTo(params.getOrder()) >= 0) {
                    throw new IOException(source + ": the EC private key is out of range");
                }
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(multiply(params, d), params));
            }
            byte[] seed = PrivateKeyDer.ed25519Seed(pkcs8, source);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IOException(source + ": cannot derive the public key of the private key");
        }
    }

    private static ECPoint multiply(ECParameterSpec params, BigInteger k) {
        BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
        BigInteger a = params.getCurve().getA();
        ECPoint result = ECPoint.POINT_INFINITY;
        for (int i = k.bitLength() - 1; i >= 0; i--) {
            result = add(result, result, p, a);
            if (k.testBit(i)) {
                result = add(result, params.getGenerator(), p, a);
            }
        }
        return result;
    }

    private static ECPoint add(ECPoint one, ECPoint two, BigInteger p, BigInteger a) {
        if (one.equals(ECPoint.POINT_INFINITY)) {
            return two;
        }
        if (two.equals(ECPoint.POINT_INFINITY)) {
            return one;
        }
        BigInteger x1 = one.getAffineX();
        BigInteger y1 = one.getAffineY();
        BigInteger x2 = two.getAffineX();
        BigInteger y2 = two.getAffineY();
        BigInteger slope;
        if (x1.equals(x2)) {
            if (y1.add(y2).mod(p).signum() == 0) {
                return ECPoint.POINT_INFINITY;
            }
            slope = x1.pow(2).multiply(BigInteger.valueOf(3)).add(a).multiply(y1.shiftLeft(1).modInverse(p)).mod(p);
        } else {
            slope = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(p)).mod(p);
        }
        BigInteger x3 = slope.pow(2).subtract(x1).subtract(x2).mod(p);
        return new ECPoint(x3, slope.multiply(x1.subtract(x3)).subtract(y1).mod(p));
    }

    /** Randomness that is the key's seed: what the generator draws becomes the private key. */
    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
