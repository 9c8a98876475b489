package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.Printable;

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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

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

    /** One place where the chain is broken: the record (or first record) at fault and what is wrong. */
    public record Break(long seq, String problem) {
    }

    /**
     * The outcome of recomputing the chain: every break in record order (the first {@link Breaks#REPORTED},
     * with {@code broken} counting all), and how many records a valid signed anchor covers.
     */
    public record Verification(long checked, List<Break> breaks, long broken, long anchored) {
        public boolean intact() {
            return broken == 0;
        }

        /** The first broken record, or 0 when the chain is intact. */
        public long firstBroken() {
            return breaks.isEmpty() ? 0 : breaks.get(0).seq();
        }

        public String problem() {
            return breaks.isEmpty() ? null : breaks.get(0).problem();
        }
    }

    /** Collects breaks: all are counted, the first {@link #REPORTED} are kept, in record order. */
    static final class Breaks {
        static final int REPORTED = 1000;
        private final List<Break> kept = new ArrayList<>();
        private long total;

        void add(long seq, String problem) {
            total++;
            if (kept.size() < REPORTED) {
                kept.add(new Break(seq, problem));
            }
        }

        List<Break> list() {
            List<Break> sorted = new ArrayList<>(kept);
            sorted.sort(java.util.Comparator.comparingLong(Break::seq));
            return List.copyOf(sorted);
        }

        long total() {
            return total;
        }
    }

    static final String GENESIS = "0".repeat(64);
    /** Column sizes of audit_log: longer text is clipped before it is hashed, so the hash covers what is stored. */
    static final int ACTOR_MAX = 160;
    static final int ACTION_MAX = 64;
    static final int TARGET_MAX = 200;
    static final int STATE_MAX = 2000;
    private static final String COLUMNS = "seq, at, actor, action, target, before_state, after_state, prev_hash, hash";

    private final Database database;
    /** Null where nothing anchors the chain (tools and tests that open a bare database). */
    private final AuditAnchors anchors;

    public AuditLog(Database database) {
        this(database, null);
    }

    /** An audit log whose {@link #verify()} also checks the newest signed anchor. */
    public AuditLog(Database database, AuditAnchors anchors) {
        this.database = database;
        this.anchors = anchors;
    }

    /** Appends a record inside the caller's transaction; the chain tip row lock serialises appends. */
    public Entry append(Connection c, Actor actor, String action, String target, String before, String after)
            throws SQLException {
        Database.nameTransaction(action);
        long seq;
        String prevHash;
        try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet rows = head.executeQuery()) {
            rows.next();
            seq = rows.getLong(1) + 1;
            prevHash = rows.getString(2);
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // the hash covers exactly what is stored: fields escaped and clipped first
        Entry entry = entry(seq, at, actor.id(), action, target, before, after, prevHash);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_log (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, seq);
            insert.setObject(2, SqlTime.utc(at));
            insert.setString(3, entry.actor());
            insert.setString(4, entry.action());
            insert.setString(5, entry.target());
            insert.setString(6, entry.before());
            insert.setString(7, entry.after());
            insert.setString(8, prevHash);
            insert.setString(9, entry.hash());
            insert.executeUpdate();
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
            update.setLong(1, seq);
            update.setString(2, entry.hash());
            update.executeUpdate();
        }
        dev.vigil.provisioning.cluster.ChangeLog.record(c, database.dialect(), seq, entry.action(), entry.target(), at);
        return entry;
    }

    /** The record as it will be stored: text fields escaped ({@link Printable}) and clipped to their columns. */
    static Entry entry(long seq, Instant at, String actor, String action, String target, String before,
            String after, String prevHash) {
        String a = clip(actor, ACTOR_MAX);
        String op = clip(action, ACTION_MAX);
        String t = clip(target, TARGET_MAX);
        String b = clip(before, STATE_MAX);
        String f = clip(after, STATE_MAX);
        return new Entry(seq, at, a, op, t, b, f, prevHash, hash(seq, at, a, op, t, b, f, prevHash));
    }
    /**
     * Takes the chain tip's row lock now rather than at the first append: a change that checks the
     * registry before it writes (policy apply, operator removal) runs alone from that point on.
     */
    public static void lockChain(Connection c) throws SQLException {
        try (PreparedStatement head = c.prepareStatement("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE");
                ResultSet rows = head.executeQuery()) {
            rows.next();
        }
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

    /**
     * Recomputes every hash in order and reports every break, not only the first: a missing record, a
     * record that does not link to the one before it, a record whose content no longer matches its hash,
     * a chain head past the last record; and, where the chain is anchored, the newest signed anchor.
     */
    public Verification verify() {
        return database.inTransaction(c -> {
            Breaks breaks = new Breaks();
            AuditAnchor stored = anchors == null ? null : anchors.stored(c);
            AuditAnchor file = anchors == null ? null : anchors.inFile();
            Map<Long, String> anchoredHashes = new HashMap<>();
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
                            breaks.add(expectedSeq, e.seq() == expectedSeq + 1 ? "record " + expectedSeq + " is missing"
                                    : "records " + expectedSeq + " to " + (e.seq() - 1) + " are missing");
                        } else if (!e.prevHash().equals(prev)) {
                            breaks.add(e.seq(), "record " + e.seq() + " does not link to the record before it");
                        }
                        String recomputed = hash(e.seq(), e.at(), e.actor(), e.action(), e.target(), e.before(),
                                e.after(), e.prevHash());
                        if (!recomputed.equals(e.hash())) {
                            breaks.add(e.seq(), "record " + e.seq() + " was changed after it was written");
                        }
                        if ((stored != null && stored.seq() == e.seq()) || (file != null && file.seq() == e.seq())) {
                            anchoredHashes.put(e.seq(), e.hash());
                        }
                        prev = e.hash();
                        expectedSeq = e.seq() + 1;
                    }
                }
            }
            long last = expectedSeq - 1;
            try (PreparedStatement head = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1");
                    ResultSet rows = head.executeQuery()) {
                rows.next();
                if (rows.getLong(1) > last) {
                    breaks.add(last + 1, "the log ends before record " + rows.getLong(1)
                            + ": records were removed from its end");
                } else if (rows.getLong(1) != last || !rows.getString(2).equals(prev)) {
                    breaks.add(last, "the chain head does not match the last record");
                }
            }
            long anchored = 0;
            if (anchors != null) {
                anchored = anchors.check(stored, file, anchoredHashes, breaks);
            }
            return new Verification(checked, breaks.list(), breaks.total(), anchored);
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
        return new Entry(rows.getLong(1), SqlTime.instant(rows, 2), rows.getString(3), rows.getString(4),
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

    /** Escaped, then cut to at most {@code max} characters (never inside a surrogate pair). */
    static String clip(String value, int max) {
        String escaped = Printable.escape(value);
        if (escaped == null || escaped.length() <= max) {
            return escaped;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(escaped.charAt(end - 1))) {
            end--;
        }
        return escaped.substring(0, end) + "…";
    }
}
