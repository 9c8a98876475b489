package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.Database;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;

/**
 * Anchors the audit chain so that whoever can write the database, but has not got the node's audit key,
 * cannot rewrite it unnoticed: {@link #anchor()} signs the chain head (periodically, at start and at a
 * clean stop) and keeps the newest anchor in the database and in a file of the data directory. Records
 * written since the newest anchor are the only ones a database writer could still change unnoticed.
 */
public final class AuditAnchors {

    private final Database database;
    private final KeyPair key;
    private final Path file;
    private final Clock clock;

    /**
     * @param key the audit key pair (its private half signs anchors, its public half checks them)
     * @param file where the newest anchor is kept outside the database
     */
    public AuditAnchors(Database database, KeyPair key, Path file, Clock clock) {
        this.database = database;
        this.key = key;
        this.file = file;
        this.clock = clock;
    }

    /** Signs the chain head if it moved since the newest anchor; returns the newest anchor (null if none). */
    public synchronized AuditAnchor anchor() {
        AuditAnchor anchor = database.inTransaction(c -> {
            AuditAnchor current = stored(c);
            long seq;
            String hash;
            try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                    ResultSet rows = head.executeQuery()) {
                rows.next();
                seq = rows.getLong(1);
                hash = rows.getString(2);
            }
            if (seq == 0 || (current != null && current.seq() == seq)) {
                return current;
            }
            AuditAnchor signed = sign(seq, hash);
            dev.vigil.provisioning.store.Upsert.row(c, "audit_anchor", "id", 1, new String[] {"seq", "hash", "at", "signature"},
                    signed.seq(), signed.hash(), SqlTime.utc(signed.at()), signed.signatureText());
            return signed;
        });
        if (anchor != null) {
            writeFile(anchor);
        }
        return anchor;
    }

    /** The newest anchor in the database, or null. */
    AuditAnchor stored(Connection c) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT seq, hash, at, signature FROM audit_anchor WHERE id = 1");
                ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                return null;
            }
            byte[] signature;
            try {
                signature = Base64.getUrlDecoder().decode(rows.getString(4));
            } catch (IllegalArgumentException e) {
                signature = new byte[0];
            }
            return new AuditAnchor(rows.getLong(1), rows.getString(2), SqlTime.instant(rows, 3), signature);
        }
    }

    /** The copy in the data directory, or null if there is none yet (an unreadable one counts as none). */
    AuditAnchor inFile() {
        try {
            return Files.exists(file) ? AuditAnchor.parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString())
                    : null;
        } catch (IOException e) {
            return new AuditAnchor(-1, "", clock.instant(), new byte[0]);
        }
    }

    /**
     * Checks both anchors against the chain: each must carry a valid signature of the audit key and match
     * the stored hash of its record, and the database's must not be older than the file's. Adds what is
     * wrong to {@code breaks}; returns how many records the valid database anchor covers.
     *
     * @param hashes the stored hashes of the records the anchors name
     */
    long check(AuditAnchor stored, AuditAnchor inFile, Map<Long, String> hashes, AuditLog.Breaks breaks) {
        if (inFile != null && inFile.seq() < 0) {
            breaks.add(0, file + " is not a readable audit anchor");
            inFile = null;
        }
        if (stored == null) {
            if (inFile != null) {
                breaks.add(inFile.seq(), "the audit anchor was removed from the database (" + file + " holds one for record "
                        + inFile.seq() + ")");
                check(inFile, hashes, breaks, file.toString());
            }
            return 0;
        }
        boolean valid = check(stored, hashes, breaks, "the database");
        if (inFile != null) {
            if (inFile.seq() > stored.seq()) {
                breaks.add(stored.seq(), "the database's audit anchor (record " + stored.seq() + ") is older than the one in "
                        + file + " (record " + inFile.seq() + "): it was rolled back");
            }
            check(inFile, hashes, breaks, file.toString());
        }
        return valid ? stored.seq() : 0;
    }

    private boolean check(AuditAnchor anchor, Map<Long, String> hashes, AuditLog.Breaks breaks, String where) {
        if (!verify(anchor)) {
            breaks.add(anchor.seq(), "the audit anchor in " + where + " (record " + anchor.seq()
                    + ") is not signed by this node's audit key");
            return false;
        }
        String hash = hashes.get(anchor.seq());
        if (hash == null) {
            breaks.add(anchor.seq(), "record " + anchor.seq() + ", signed by the audit anchor in " + where + ", is missing");
            return false;
        }
        if (!hash.equals(anchor.hash())) {
            breaks.add(anchor.seq(), "record " + anchor.seq() + " differs from the audit anchor in " + where
                    + ": the chain was rewritten");
            return false;
        }
        return true;
    }

    private AuditAnchor sign(long seq, String hash) {
        AuditAnchor unsigned = new AuditAnchor(seq, hash, clock.instant().truncatedTo(ChronoUnit.MILLIS), new byte[0]);
        try {
            Signature signer = Signature.getInstance(algorithm());
            signer.initSign(key.getPrivate());
            signer.update(unsigned.signedBytes());
            return new AuditAnchor(seq, hash, unsigned.at(), signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the audit key", e);
        }
    }

    private boolean verify(AuditAnchor anchor) {
        try {
            Signature verifier = Signature.getInstance(algorithm());
            verifier.initVerify(key.getPublic());
            verifier.update(anchor.signedBytes());
            return verifier.verify(anchor.signature());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private String algorithm() {
        return "EC".equals(key.getPublic().getAlgorithm()) ? "SHA256withECDSA" : key.getPublic().getAlgorithm();
    }

    /** Replaces the file atomically: a crash leaves the old anchor or the new one, never half of one. */
    private void writeFile(AuditAnchor anchor) {
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, anchor.line(), StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }
}
