package dev.vigil.provisioning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The append-only, hash-chained audit log. Each record holds the hash of the one before it, so
 * changing, removing or reordering any record breaks every hash after it. Records are appended in
 * the caller's transaction: a change and its record commit together or not at all.
 */
public final class AuditLog {

    /** One record; {@code hash} covers every other field, {@code prevHash} included. */
    public record Entry(long seq, Instant at, String actor, String action, String target, String before,
            String after, String prevHash, String hash) {
    }

    /** The outcome of recomputing the chain: {@code firstBroken} is 0 when it is intact. */
    public record Verification(long checked, long firstBroken, String problem) {
        public boolean intact() {
            return firstBroken == 0;
        }
    }

    static final String GENESIS = "0".repeat(64);
    private static final String COLUMNS = "seq, at, actor, action, target, before_state, after_state, prev_hash, hash";

    private final Database database;

    public AuditLog(Database database) {
        this.database = database;
    }

    /** Appends a record inside the caller's transaction; the chain tip row lock serialises appends. */
    public Entry append(Connection c, Actor actor, String action, String target, String before, String after)
            throws SQLException {
        long seq;
        String prevHash;
        try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet rows = head.executeQuery()) {
            rows.next();
            seq = rows.getLong(1) + 1;
            prevHash = rows.getString(2);
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String hash = hash(seq, at, actor.id(), action, target, before, after, prevHash);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, seq);
            insert.setObject(2, DeviceRows.utc(at));
            insert.setString(3, actor.id());
            insert.setString(4, action);
            insert.setString(5, clip(target, 200));
            insert.setString(6, clip(before, 2000));
            insert.setString(7, clip(after, 2000));
            insert.setString(8, prevHash);
            insert.setString(9, hash);
            insert.executeUpdate();
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            update.setLong(1, seq);
            update.setString(2, hash);
            update.executeUpdate();
        }
        return new Entry(seq, at, actor.id(), action, clip(target, 200), clip(before, 2000), clip(after, 2000),
                prevHash, hash);
    }

    /** Appends one record in its own transaction (for changes that touch nothing else). */
    public Entry append(Actor actor, String action, String target, String before, String after) {
        return database.inTransaction(c -> append(c, actor, action, target, before, after));
    }

    /** Records with a sequence number above {@code afterSeq}, oldest first, at most {@code limit}. */
    public List<Entry> since(long afterSeq, int limit) {
        return query("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit);
    }

    /** The newest {@code limit} records, oldest first. */
    public List<Entry> tail(int limit) {
        List<Entry> newest = query("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ? ORDER BY seq DESC LIMIT ?",
                0L, limit);
        java.util.Collections.reverse(newest);
        return newest;
    }

    /** Recomputes every hash in order; names the first record whose content or link does not match. */
    public Verification verify() {
        return database.inTransaction(c -> {
            long checked = 0;
            long expectedSeq = 1;
            String prev = GENESIS;
            try (PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq")) {
                query.setFetchSize(1000);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        Entry e = entry(rows);
                        checked++;
                        if (e.seq() != expectedSeq) {
                            return new Verification(checked, expectedSeq, "record " + expectedSeq + " is missing");
                        }
                        if (!e.prevHash().equals(prev)) {
                            return new Verification(checked, e.seq(), "record " + e.seq()
                                    + " does not link to the record before it");
                        }
                        String recomputed = hash(e.seq(), e.at(), e.actor(), e.action(), e.target(), e.before(),
                                e.after(), e.prevHash());
                        if (!recomputed.equals(e.hash())) {
                            return new Verification(checked, e.seq(), "record " + e.seq()
                                    + " was changed after it was written");
                        }
                        prev = e.hash();
                        expectedSeq++;
                    }
                }
            }
            try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                    ResultSet rows = head.executeQuery()) {
                rows.next();
                if (rows.getLong(1) != expectedSeq - 1 || !rows.getString(2).equals(prev)) {
                    return new Verification(checked, expectedSeq, "the log ends before record " + rows.getLong(1)
                            + ": records were removed from its end");
                }
            }
            return new Verification(checked, 0, null);
        });
    }

    private List<Entry> query(String sql, long afterSeq, int limit) {
        return database.inTransaction(c -> {
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement(sql)) {
                query.setLong(1, afterSeq);
                query.setInt(2, limit);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
            }
            return entries;
        });
    }

    private static Entry entry(ResultSet rows) throws SQLException {
        return new Entry(rows.getLong(1), DeviceRows.instant(rows, 2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), rows.getString(7), rows.getString(8), rows.getString(9));
    }

    /** SHA-256 over length-prefixed fields, so no choice of field contents can collide with another. */
    static String hash(long seq, Instant at, String actor, String action, String target, String before,
            String after, String prevHash) {
        StringBuilder canonical = new StringBuilder();
        for (String field : new String[] {Long.toString(seq), at.toString(), actor, action, target, before, after,
            prevHash}) {
            canonical.append(field == null ? "-1" : Integer.toString(field.length())).append(':')
                    .append(field == null ? "" : field).append(';');
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clip(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }
}
