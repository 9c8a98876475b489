package dev.vigil.server;

import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyFactorySpi;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;

/**
 * A provider with one service, {@code KeyFactory.EC}, that hands out the JDK's (SunEC) key objects even
 * when Bouncy Castle does the arithmetic. Scandium keeps the key object it decoded from a device's
 * certificate message as the session's identity for the session's whole life; a Bouncy Castle key
 * object also keeps the precomputed tables of the signature check it was used for (about 3 KB). A
 * SunEC key is only its encoding: Bouncy Castle converts it per operation and drops the tables.
 */
final class CompactEcKeys extends Provider {

    static final String NAME = "VigilCompactEcKeys";

    CompactEcKeys() {
        super(NAME, "1.0", "KeyFactory.EC giving compact (SunEC) key objects");
        putService(new Service(this, "KeyFactory", "EC", SunEcKeyFactory.class.getName(), null, null));
    }

    /** Delegates to SunEC's EC key factory. */
    public static final class SunEcKeyFactory extends KeyFactorySpi {

        private final KeyFactory sunEc;

        public SunEcKeyFactory() throws NoSuchAlgorithmException {
            try {
                sunEc = KeyFactory.getInstance("EC", "SunEC");
            } catch (java.security.NoSuchProviderException e) {
                throw new NoSuchAlgorithmException("SunEC is missing from this JVM", e);
            }
        }

        @Override
        protected PublicKey engineGeneratePublic(KeySpec keySpec) throws InvalidKeySpecException {
            return sunEc.generatePublic(keySpec);
        }

        @Override
        protected PrivateKey engineGeneratePrivate(KeySpec keySpec) throws InvalidKeySpecException {
            return sunEc.generatePrivate(keySpec);
        }

        @Override
        protected <T extends KeySpec> T engineGetKeySpec(Key key, Class<T> keySpec) throws InvalidKeySpecException {
            return sunEc.getKeySpec(key, keySpec);
        }

        @Override
        protected Key engineTranslateKey(Key key) throws InvalidKeyException {
            return sunEc.translateKey(key);
        }
    }
}
