package dev.vigil.provisioning.keys;

import dev.vigil.provisioning.Refusal;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The signature algorithms a node accepts for device keys ({@code VIGIL.DEVICE_KEY_ALGORITHMS}): a key of
 * another algorithm is refused when it would be registered (add, import, enrollment, rotation) and at the
 * handshake. A key's algorithm is read from its SubjectPublicKeyInfo, whatever provider decoded it.
 */
public record DeviceKeyAlgorithms(Set<Algorithm> allowed) {

    /** A device key's signature algorithm, by its name in the setting. */
    public enum Algorithm {
        P256("p256", "EC P-256"), ED25519("ed25519", "Ed25519");

        /** DER of an Ed25519 SubjectPublicKeyInfo up to the 32-byte key (RFC 8410). */
        private static final byte[] ED25519_PREFIX = {0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21,
            0x00};
        /** DER of the AlgorithmIdentifier of an EC P-256 key: id-ecPublicKey, prime256v1 (RFC 5480). */
        private static final byte[] P256_ALGORITHM = {0x30, 0x13, 0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D,
            0x02, 0x01, 0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};

        private final String setting;
        private final String label;

        Algorithm(String setting, String label) {
            this.setting = setting;
            this.label = label;
        }

        /** The name in {@code VIGIL.DEVICE_KEY_ALGORITHMS}: {@code p256}, {@code ed25519}. */
        public String setting() {
            return setting;
        }

        /** The name people read: {@code EC P-256}, {@code Ed25519}. */
        public String label() {
            return label;
        }

        public static Optional<Algorithm> of(PublicKey key) {
            return ofSubjectPublicKeyInfo(key.getEncoded());
        }

        /** The algorithm of a DER SubjectPublicKeyInfo, if it is one a device key may have. */
        public static Optional<Algorithm> ofSubjectPublicKeyInfo(byte[] spki) {
            if (spki == null) {
                return Optional.empty();
            }
            if (spki.length == ED25519_PREFIX.length + 32
                    && Arrays.equals(spki, 0, ED25519_PREFIX.length, ED25519_PREFIX, 0, ED25519_PREFIX.length)) {
                return Optional.of(ED25519);
            }
            int header = spki.length > 2 && (spki[1] & 0xFF) < 0x80 ? 2 : 3; // SEQUENCE, short or 1-byte long length
            if (spki.length > header + P256_ALGORITHM.length && Arrays.equals(spki, header,
                    header + P256_ALGORITHM.length, P256_ALGORITHM, 0, P256_ALGORITHM.length)) {
                return Optional.of(P256);
            }
            return Optional.empty();
        }
    }

    /** Every algorithm: the default. */
    public static final DeviceKeyAlgorithms ALL = new DeviceKeyAlgorithms(EnumSet.allOf(Algorithm.class));

    public DeviceKeyAlgorithms {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("at least one device key algorithm must be allowed");
        }
        allowed = java.util.Collections.unmodifiableSet(EnumSet.copyOf(allowed));
    }

    /**
     * Parses the setting: names separated by commas, e.g. {@code p256,ed25519}. An unknown or missing name is an
     * IllegalArgumentException naming it and the names known.
     */
    public static DeviceKeyAlgorithms parse(String list) {
        Set<Algorithm> allowed = EnumSet.noneOf(Algorithm.class);
        for (String name : (list == null ? "" : list).split(",")) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            if (wanted.isEmpty()) {
                continue;
            }
            allowed.add(Arrays.stream(Algorithm.values()).filter(a -> a.setting.equals(wanted)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no device key algorithm named '" + name.strip()
                            + "' (known: " + names(EnumSet.allOf(Algorithm.class)) + ")")));
        }
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("no device key algorithm allowed (known: "
                    + names(EnumSet.allOf(Algorithm.class)) + ")");
        }
        return new DeviceKeyAlgorithms(allowed);
    }

    public boolean allows(Algorithm algorithm) {
        return allowed.contains(algorithm);
    }

    /** Null if a device may hold {@code key}; otherwise why not, in one line. */
    public String refusal(PublicKey key) {
        return refusalOf(key.getEncoded());
    }

    /** As {@link #refusal(PublicKey)}, for a DER SubjectPublicKeyInfo. */
    public String refusalOf(byte[] spki) {
        Optional<Algorithm> algorithm = Algorithm.ofSubjectPublicKeyInfo(spki);
        if (algorithm.isPresent() && allowed.contains(algorithm.get())) {
            return null;
        }
        return algorithm.map(a -> "an " + a.label() + " key").orElse("a key of another algorithm")
                + " is not allowed for devices here (allowed: " + labels() + "; VIGIL.DEVICE_KEY_ALGORITHMS)";
    }

    /** Refuses (INVALID) a key a device may not hold here. */
    public void require(PublicKey key) {
        String refusal = refusal(key);
        if (refusal != null) {
            throw Refusal.invalid(refusal);
        }
    }

    /** The setting's value: {@code p256,ed25519}. */
    public String setting() {
        return names(allowed);
    }

    private String labels() {
        return allowed.stream().sorted().map(Algorithm::label).collect(Collectors.joining(", "));
    }

    private static String names(Set<Algorithm> algorithms) {
        return algorithms.stream().sorted().map(Algorithm::setting).collect(Collectors.joining(","));
    }
}
