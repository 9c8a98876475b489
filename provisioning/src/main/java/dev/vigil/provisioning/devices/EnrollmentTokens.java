package dev.vigil.provisioning.devices;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.store.SqlTime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One-time enrollment tokens: an operator creates one for a profile (and optionally a device name); a
 * device with an unknown key redeems it to become a registered device. Only the token's SHA-256 is
 * stored; the token itself is shown once.
 */
public final class EnrollmentTokens {

    /** A created token: the secret (shown once) and what it grants. */
    public record Created(String token, String profile, String deviceName, int uses, Instant expiresAt) {
    }

    /** A usable token as operators see it: its id (the first 12 hex digits of its hash), never its secret. */
    public record Listed(String id, String profile, String deviceName, int usesLeft, Instant expiresAt,
            String createdBy) {
    }

    /** Characters of the token's SHA-256 (hex) that name it: in audit records, {@code token list} and revoke. */
    static final int ID_LENGTH = 12;

    static final Duration MAX_TTL = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DeviceRegistry registry;
    private final ProfileRules profiles;

    public EnrollmentTokens(DeviceRegistry registry, ProfileRules profiles) {
        this.registry = registry;
        this.profiles = profiles;
    }

    public Created create(String profile, String deviceName, Duration ttl, int uses, Actor actor) {
        Names.require("profile", profile);
        if (deviceName != null) {
            Names.require("device name", deviceName);
        }
        if (!profiles.exists(profile)) {
            throw Refusal.invalid("no profile named '" + profile + "' in the policy in force");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw Refusal.invalid("ttl must be more than 0 and at most " + MAX_TTL.toDays() + " days");
        }
        if (uses < 1 || uses > 100_000) {
            throw Refusal.invalid("uses must be between 1 and 100000");
        }
        if (deviceName != null && uses != 1) {
            throw Refusal.invalid("a token that names its device can be used once only (--uses 1)");
        }
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String token = "vgt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = Instant.now();
        Instant expiresAt = now.plus(ttl);
        registry.database().inTransaction(c -> {
            if (deviceName != null) {
                refuseTakenName(c, deviceName, now);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO enrollment_tokens (token_hash, profile,"
                    + " device_name, uses_left, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, hash(token));
                insert.setString(2, profile);
                insert.setString(3, deviceName);
                insert.setInt(4, uses);
                insert.setObject(5, SqlTime.utc(expiresAt));
                insert.setString(6, actor.id());
                insert.setObject(7, SqlTime.utc(now));
                insert.executeUpdate();
            }
            registry.audit().append(c, actor, "token.create", "profile " + profile, null,
                    "token " + hash(token).substring(0, ID_LENGTH) + " uses=" + uses + " expires=" + expiresAt
                            + (deviceName == null ? "" : " name=" + deviceName));
            return null;
        });
        return new Created(token, profile, deviceName, uses, expiresAt);
    }

    /** Tokens still usable (uses left, not expired, not revoked), soonest expiry first. */
    public java.util.List<Listed> list() {
        Instant now = Instant.now();
        return registry.database().inTransaction(c -> {
            java.util.List<Listed> tokens = new java.util.ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT token_hash, profile, device_name, uses_left,"
                    + " expires_at, created_by FROM enrollment_tokens WHERE uses_left > 0 AND expires_at > ?"
                    + " AND revoked_at IS NULL ORDER BY expires_at, token_hash")) {
                query.setObject(1, SqlTime.utc(now));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        tokens.add(new Listed(rows.getString(1).substring(0, ID_LENGTH), rows.getString(2),
                                rows.getString(3), rows.getInt(4), SqlTime.instant(rows, 5), rows.getString(6)));
                    }
                }
            }
            return tokens;
        });
    }

    /**
     * Revokes the token with this id so it enrolls nothing more; audited. Idempotent: a token already revoked is
     * success ({@code false}: nothing changed, nothing audited). An unknown id is NOT_FOUND.
     *
     * @return whether this call revoked it
     */
    public boolean revoke(String id, Actor actor) {
        if (id == null || !id.matches("[0-9a-f]{" + ID_LENGTH + "}")) {
            throw Refusal.invalid("a token id is " + ID_LENGTH + " lowercase hex digits, as vigil token list shows");
        }
        Instant now = Instant.now();
        return registry.database().inTransaction(c -> {
            String hash = null;
            boolean revoked = false;
            try (PreparedStatement query = c.prepareStatement("SELECT token_hash, revoked_at FROM enrollment_tokens"
                    + " WHERE token_hash LIKE ? FOR UPDATE")) {
                query.setString(1, id + "%");
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        if (hash != null) {
                            throw Refusal.conflict("token id " + id + " is ambiguous");
                        }
                        hash = rows.getString(1);
                        revoked = rows.getObject(2) != null;
                    }
                }
            }
            if (hash == null) {
                throw Refusal.notFound("no enrollment token with id " + id);
            }
            if (revoked) {
                return false;
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE enrollment_tokens SET revoked_at = ? WHERE token_hash = ?")) {
                update.setObject(1, SqlTime.utc(now));
                update.setString(2, hash);
                update.executeUpdate();
            }
            registry.audit().append(c, actor, "token.revoke", "token " + id, null, "revoked");
            return true;
        });
    }

    /**
     * Binds {@code key} to a new device with the token's profile: ACTIVE, or PENDING if the profile
     * requires approval. A spent, expired or unknown token is refused (reason DENIED), a key of an algorithm not
     * allowed for devices (INVALID), and nothing changes.
     */
    public Device redeem(String token, PublicKey key) {
        registry.keyAlgorithms().require(key); // before the token is looked at: a refused key spends nothing
        String keyId = KeyIds.of(key);
        Instant now = Instant.now();
        Device device = registry.database().inTransaction(c -> {
            String profile;
            String name;
            try (PreparedStatement query = c.prepareStatement("SELECT profile, device_name, uses_left, expires_at,"
                    + " revoked_at FROM enrollment_tokens WHERE token_hash = ? FOR UPDATE")) {
                query.setString(1, hash(token == null ? "" : token));
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.denied("unknown enrollment token");
                    }
                    if (rows.getObject(5) != null) {
                        throw Refusal.denied("enrollment token revoked");
                    }
                    if (rows.getInt(3) < 1) {
                        throw Refusal.denied("enrollment token already used");
                    }
                    if (!SqlTime.instant(rows, 4).isAfter(now)) {
                        throw Refusal.denied("enrollment token expired");
                    }
                    profile = rows.getString(1);
                    name = rows.getString(2) != null ? rows.getString(2)
                            : profile + "-" + keyId.substring(keyId.indexOf(';') + 1).substring(0, 10);
                }
            }
            try (PreparedStatement spend = c.prepareStatement(
                    "UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE token_hash = ?")) {
                spend.setString(1, hash(token));
                spend.executeUpdate();
            }
            DeviceState state = profiles.requiresApproval(profile) ? DeviceState.PENDING : DeviceState.ACTIVE;
            long id = DeviceRows.insertDevice(c, name, profile, state, now);
            DeviceRows.insertKey(c, keyId, id, key.getEncoded(), KeyState.ACTIVE, now);
            registry.audit().append(c, Actor.device(keyId), "device.enroll", name, null,
                    "state=" + state + " profile=" + profile + " token " + hash(token).substring(0, ID_LENGTH));
            return new Device(id, name, keyId, profile, state, now, now);
        });
        registry.invalidate(keyId);
        return device;
    }

    /**
     * A token naming its device could never be redeemed if the name is registered, tombstoned, or named by
     * another token still usable: refused at creation rather than at the device.
     */
    private static void refuseTakenName(java.sql.Connection c, String name, Instant now) throws java.sql.SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT state FROM devices WHERE name = ?")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    throw Refusal.conflict(DeviceState.DECOMMISSIONED.name().equals(rows.getString(1))
                            ? "the name '" + name + "' belonged to a decommissioned device and is tombstoned"
                            : "a device named '" + name + "' already exists");
                }
            }
        }
        try (PreparedStatement query = c.prepareStatement("SELECT COUNT(*) FROM enrollment_tokens WHERE device_name = ?"
                + " AND uses_left > 0 AND expires_at > ?")) {
            query.setString(1, name);
            query.setObject(2, SqlTime.utc(now));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                if (rows.getInt(1) > 0) {
                    throw Refusal.conflict("an unused enrollment token already names '" + name + "'");
                }
            }
        }
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
