package dev.vigil.provisioning.firmware;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.devices.PrincipalKeys;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.audit.AuditLog;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The firmware catalogue: the keys that may sign firmware (principals of their own), and published images.
 * An image is published only with a manifest signed by one of those keys that describes it exactly (size
 * and SHA-256), and with a sequence number above every earlier one of its vendor and class unless the
 * downgrade is forced. The signing happens where the key is; the server only verifies.
 */
public final class FirmwareCatalogue {

    /** The largest image the catalogue takes (the management endpoint carries it in one request). */
    public static final int MAX_IMAGE = 2 * 1024 * 1024;
    private static final String COLUMNS = "id, vendor, device_class, sequence, version, digest, size, manifest,"
            + " signed_by, published_at, published_by";

    private final Database database;
    private final AuditLog audit;
    private final Clock clock;

    public FirmwareCatalogue(Database database, AuditLog audit, Clock clock) {
        this.database = database;
        this.audit = audit;
        this.clock = clock;
    }

    /** Registers a key that may sign firmware manifests; claimed as a principal of its own. Audited. */
    public String addKey(String name, PublicKey key, Actor actor) {
        Names.require("firmware key name", name);
        String keyId = KeyIds.of(key);
        database.inTransaction(c -> {
            PrincipalKeys.claim(c, keyId, PrincipalKeys.Kind.FIRMWARE);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO firmware_keys (key_id, name, public_key, created_at) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, keyId);
                insert.setString(2, name);
                insert.setBytes(3, key.getEncoded());
                insert.setObject(4, SqlTime.utc(clock.instant()));
                dev.vigil.provisioning.store.UniqueKeys.executeUpdate(c, insert);
            } catch (java.sql.SQLIntegrityConstraintViolationException e) {
                throw Refusal.conflict("a firmware key named '" + name + "' exists");
            }
            audit.append(c, actor, "firmware.key.add", name, null, "key=" + keyId);
            return null;
        });
        return keyId;
    }

    /** The firmware signing keys by key id, oldest first. */
    public Map<String, PublicKey> keys() {
        return database.inTransaction(c -> {
            Map<String, PublicKey> keys = new LinkedHashMap<>();
            try (PreparedStatement query = c.prepareStatement(
                    "SELECT key_id, public_key FROM firmware_keys ORDER BY created_at, key_id");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    try {
                        keys.put(rows.getString(1), PemFiles.decodePublicKey(rows.getBytes(2), rows.getString(1)));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return keys;
        });
    }

    /**
     * Publishes {@code image} under its signed manifest {@code cose}; refused whole (nothing stored) if no
     * registered key verifies the signature, the manifest does not describe the image, or the sequence is
     * not above the newest of its vendor and class (unless {@code force}).
     */
    public PublishedFirmware publish(byte[] cose, byte[] image, boolean force, Actor actor) {
        if (image.length > MAX_IMAGE) {
            throw Refusal.invalid("images are limited to " + MAX_IMAGE / 1024 + " KiB");
        }
        String signer = null;
        FirmwareManifest manifest = null;
        for (Map.Entry<String, PublicKey> key : keys().entrySet()) {
            try {
                manifest = FirmwareManifest.decode(CoseSign1.verify(cose, key.getValue()));
                signer = key.getKey();
                break;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next key
            }
        }
        if (manifest == null) {
            throw Refusal.denied("the manifest is not signed by a registered firmware key (vigil firmware key add)");
        }
        if (!manifest.describes(image)) {
            throw Refusal.invalid("the image does not match its manifest (size " + image.length + " vs " + manifest.size()
                    + ", or its SHA-256): refused, nothing stored");
        }
        FirmwareManifest published = manifest;
        String signedBy = signer;
        Instant now = clock.instant();
        long id = database.inTransaction(c -> {
            long newest = newestSequence(c, published.vendor(), published.deviceClass());
            if (published.sequence() <= newest && !force) {
                throw Refusal.conflict("sequence " + published.sequence() + " is not above the newest published for "
                        + published.vendor() + "/" + published.deviceClass() + " (" + newest + "): a downgrade; --force to"
                        + " publish it anyway");
            }
            long inserted;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO firmware (vendor, device_class, sequence,"
                    + " version, digest, size, manifest, image, signed_by, published_at, published_by)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                insert.setString(1, published.vendor());
                insert.setString(2, published.deviceClass());
                insert.setLong(3, published.sequence());
                insert.setString(4, published.version());
                insert.setString(5, published.digestHex());
                insert.setLong(6, published.size());
                insert.setBytes(7, cose);
                insert.setBytes(8, image);
                insert.setString(9, signedBy);
                insert.setObject(10, SqlTime.utc(now));
                insert.setString(11, actor.id());
                dev.vigil.provisioning.store.UniqueKeys.executeUpdate(c, insert);
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    inserted = keys.getLong(1);
                }
            } catch (java.sql.SQLIntegrityConstraintViolationException e) {
                throw Refusal.conflict("version " + published.version() + " of " + published.vendor() + "/"
                        + published.deviceClass() + " is published already");
            }
            audit.append(c, actor, "firmware.publish", published.vendor() + "/" + published.deviceClass(), null,
                    "version " + published.version() + " sequence " + published.sequence() + " sha256="
                            + published.digestHex() + " size=" + published.size() + " signed by " + signedBy
                            + (published.sequence() <= newest ? " (forced downgrade)" : ""));
            return inserted;
        });
        return find(id).orElseThrow();
    }

    private static long newestSequence(Connection c, String vendor, String deviceClass) throws SQLException {
        try (PreparedStatement query = c.prepareStatement(
                "SELECT MAX(sequence) FROM firmware WHERE vendor = ? AND device_class = ?")) {
            query.setString(1, vendor);
            query.setString(2, deviceClass);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long max = rows.getLong(1);
                return rows.wasNull() ? -1 : max;
            }
        }
    }

    public List<PublishedFirmware> list() {
        return database.inTransaction(c -> query(c, "ORDER BY published_at DESC, id DESC"));
    }

    public Optional<PublishedFirmware> find(long id) {
        return database.inTransaction(c -> query(c, "WHERE id = ?", id).stream().findFirst());
    }

    /** The newest published image with this version (of any vendor and class). */
    public Optional<PublishedFirmware> findVersion(String version) {
        return database.inTransaction(c -> query(c, "WHERE version = ? ORDER BY id DESC", version).stream().findFirst());
    }

    /** The signed manifest (COSE_Sign1) as published. */
    public byte[] manifest(long id) {
        return bytes("manifest", id);
    }

    public byte[] image(long id) {
        return bytes("image", id);
    }

    private byte[] bytes(String column, long id) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT " + column + " FROM firmware WHERE id = ?")) {
                query.setLong(1, id);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.notFound("no firmware " + id);
                    }
                    return rows.getBytes(1);
                }
            }
        });
    }

    private static List<PublishedFirmware> query(Connection c, String where, Object... params) throws SQLException {
        List<PublishedFirmware> found = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + " FROM firmware " + where)) {
            for (int i = 0; i < params.length; i++) {
                query.setObject(i + 1, params[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    FirmwareManifest manifest = new FirmwareManifest(rows.getLong(4), rows.getString(2),
                            rows.getString(3), rows.getString(5), java.util.HexFormat.of().parseHex(rows.getString(6)),
                            rows.getLong(7));
                    found.add(new PublishedFirmware(rows.getLong(1), manifest, rows.getString(9),
                            SqlTime.instant(rows, 10), rows.getString(11)));
                }
            }
        }
        return found;
    }
}
