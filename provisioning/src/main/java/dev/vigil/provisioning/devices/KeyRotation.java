package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.store.SqlTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key rotation without lock-out (Tink-style key states):
 * <ol>
 * <li>the device asks for a nonce, bound to it and its current key;</li>
 * <li>it proposes a new key with a signature by that new key over {@link #signedBytes}; the new key is
 * stored PENDING_ROTATION and the current key keeps working;</li>
 * <li>its next handshake with the new key confirms it: in one transaction the new key becomes ACTIVE
 * and the old one RETIRED. An unconfirmed key expires after {@link #PENDING_TTL}.</li>
 * </ol>
 * A crash at any step leaves the device with exactly one ACTIVE key it holds.
 */
public final class KeyRotation {

    public static final Duration NONCE_TTL = Duration.ofMinutes(5);
    public static final Duration PENDING_TTL = Duration.ofHours(24);
    private static final byte[] CONTEXT = "vigil-key-rotation-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Nonce(byte[] value, Instant expires) {
    }

    private record Confirmation(String retired, boolean expired, List<String> touched) {
    }

    private final DeviceRegistry registry;
    private final Clock clock;
    /** One outstanding nonce per current key: bounded by the number of keys. */
    private final Map<String, Nonce> nonces = new ConcurrentHashMap<>();

    public KeyRotation(DeviceRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** What the device signs with its new key. */
    public static byte[] signedBytes(byte[] nonce, String currentKeyId) {
        byte[] key = currentKeyId.getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[CONTEXT.length + nonce.length + key.length];
        System.arraycopy(CONTEXT, 0, message, 0, CONTEXT.length);
        System.arraycopy(nonce, 0, message, CONTEXT.length, nonce.length);
        System.arraycopy(key, 0, message, CONTEXT.length + nonce.length, key.length);
        return message;
    }

    /** A fresh nonce for the holder of {@code currentKeyId}; replaces any earlier one. */
    public byte[] nonce(String currentKeyId) {
        DeviceIdentity device = registry.findByKeyId(currentKeyId)
                .orElseThrow(() -> Refusal.notFound("unknown key " + currentKeyId));
        Lifecycle.ROTATE.next(device.state());
        byte[] value = new byte[16];
        RANDOM.nextBytes(value);
        nonces.put(currentKeyId, new Nonce(value, clock.instant().plus(NONCE_TTL)));
        return value.clone();
    }

    /**
     * Stores {@code newKey} as PENDING_ROTATION for the device holding {@code currentKeyId}, if the
     * signature by the new key over the outstanding nonce checks out. Proposing the same key again is
     * harmless; a different key replaces an unconfirmed earlier proposal.
     */
    public void propose(String currentKeyId, PublicKey newKey, byte[] nonce, byte[] signature) {
        Nonce outstanding = nonces.get(currentKeyId);
        if (outstanding == null || outstanding.expires().isBefore(clock.instant())
                || !MessageDigest.isEqual(outstanding.value(), nonce)) {
            throw Refusal.denied("no valid rotation nonce for this key: ask for a new one");
        }
        if (!verify(newKey, signedBytes(nonce, currentKeyId), signature)) {
            throw Refusal.denied("the signature does not prove possession of the new key");
        }
        try {
            PemFiles.decodePublicKey(newKey.getEncoded(), "new key");
        } catch (IOException e) {
            throw Refusal.invalid(e.getMessage());
        }
        registry.keyAlgorithms().require(newKey);
        nonces.remove(currentKeyId, outstanding);
        String newKeyId = KeyIds.of(newKey);
        Instant now = clock.instant();
        List<String> touched = registry.database().inTransaction(c -> {
            DeviceIdentity current = DeviceRows.identity(c, currentKeyId)
                    .orElseThrow(() -> Refusal.notFound("unknown key " + currentKeyId));
            DeviceRows.Row row = DeviceRows.lock(c, current.name());
            Lifecycle.ROTATE.next(row.state());
            if (current.keyState() != KeyState.ACTIVE) {
                throw Refusal.denied("only the device's ACTIVE key may propose a rotation");
            }
            for (DeviceKey key : DeviceRows.keys(c, row.id())) {
                if (key.state() == KeyState.PENDING_ROTATION) {
                    if (key.keyId().equals(newKeyId)) {
                        return List.<String>of();
                    }
                    DeviceRows.setKeyState(c, key.keyId(), KeyState.REVOKED, now);
                }
            }
            DeviceRows.insertKey(c, newKeyId, row.id(), newKey.getEncoded(), KeyState.PENDING_ROTATION, now);
            registry.audit().append(c, Actor.device(currentKeyId), "key.propose", row.name(), "key=" + currentKeyId,
                    "pending=" + newKeyId);
            return DeviceRows.keys(c, row.id()).stream().map(DeviceKey::keyId).toList();
        });
        touched.forEach(registry::invalidate);
    }

    /**
     * The device's first handshake with a PENDING_ROTATION key: makes it ACTIVE and retires the old key,
     * in one transaction. Returns the retired key id (to cut its sessions). An expired proposal is
     * revoked and refused.
     */
    public String confirm(String newKeyId) {
        Instant now = clock.instant();
        Confirmation result = registry.database().inTransaction(c -> {
            DeviceIdentity pending = DeviceRows.identity(c, newKeyId)
                    .orElseThrow(() -> Refusal.notFound("unknown key " + newKeyId));
            DeviceRows.Row row = DeviceRows.lock(c, pending.name());
            Lifecycle.ROTATE.next(row.state());
            DeviceIdentity fresh = DeviceRows.identity(c, newKeyId).orElseThrow();
            if (fresh.keyState() != KeyState.PENDING_ROTATION) {
                throw Refusal.denied("key " + newKeyId + " is " + fresh.keyState() + ", not PENDING_ROTATION");
            }
            if (created(c, newKeyId).plus(PENDING_TTL).isBefore(now)) {
                DeviceRows.setKeyState(c, newKeyId, KeyState.REVOKED, now);
                registry.audit().append(c, Actor.system("rotation expired"), "key.expire", row.name(),
                        "pending=" + newKeyId, "revoked");
                return new Confirmation(null, true, List.of(newKeyId));
            }
            String retired = null;
            for (DeviceKey key : DeviceRows.keys(c, row.id())) {
                if (key.state() == KeyState.ACTIVE) {
                    DeviceRows.setKeyState(c, key.keyId(), KeyState.RETIRED, now);
                    retired = key.keyId();
                }
            }
            DeviceRows.setKeyState(c, newKeyId, KeyState.ACTIVE, now);
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE devices SET rotation_requested = FALSE, updated_at = ? WHERE id = ?")) {
                update.setObject(1, SqlTime.utc(now));
                update.setLong(2, row.id());
                update.executeUpdate();
            }
            registry.audit().append(c, Actor.device(newKeyId), "key.rotated", row.name(), "key=" + retired,
                    "key=" + newKeyId);
            return new Confirmation(retired, false, DeviceRows.keys(c, row.id()).stream().map(DeviceKey::keyId).toList());
        });
        result.touched().forEach(registry::invalidate);
        if (result.expired()) {
            throw Refusal.denied("the rotation to key " + newKeyId + " expired unconfirmed");
        }
        return result.retired();
    }

    private static Instant created(java.sql.Connection c, String keyId) throws java.sql.SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT created_at FROM device_keys WHERE key_id = ?")) {
            query.setString(1, keyId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return SqlTime.instant(rows, 1);
            }
        }
    }

    private static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(
                    "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : key.getAlgorithm());
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
