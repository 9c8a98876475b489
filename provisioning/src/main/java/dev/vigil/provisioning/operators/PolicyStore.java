package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.audit.AuditLog;

import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import dev.vigil.provisioning.policy.PolicyDocuments;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.SqlTime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Applied policy documents, versioned: each apply stores the whole document as the next version, with
 * its audit record, in one transaction; a document equal (as JSON) to the one in force is no new version. The newest version is the one in force; on a fresh database
 * that is the shipped {@code policies/default.json}, stored as version 1.
 */
public final class PolicyStore {

    /** A stored version. */
    public record Stored(long version, String document, Instant appliedAt, String appliedBy) {
    }

    static final String DEFAULT_RESOURCE = "/policies/default.json";

    private final Database database;
    private final AuditLog audit;

    public PolicyStore(Database database, AuditLog audit) {
        this.database = database;
        this.audit = audit;
    }

    /** The newest stored version, storing the shipped default first if there is none. */
    public Stored current() {
        return newest().orElseGet(() -> {
            String document = shippedDefault();
            return database.inTransaction(c -> store(c, 1, document, Actor.system("shipped default policy")));
        });
    }

    public Optional<Stored> newest() {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT version, document, applied_at, applied_by"
                    + " FROM policies ORDER BY version DESC LIMIT 1");
                    ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(new Stored(rows.getLong(1), rows.getString(2),
                        SqlTime.instant(rows, 3), rows.getString(4))) : Optional.<Stored>empty();
            }
        });
    }

    /**
     * Checks {@code document} as {@link #apply} would, changing nothing: it must compile, keep every
     * profile devices use, and leave at least one current operator able to govern ({@link Governance}).
     */
    public CompiledPolicy validate(String document) throws PolicyDocumentException {
        return validate(document, null);
    }

    /**
     * As {@link #validate(String)}, and every role operation pattern must name or match one of {@code operations}
     * ({@link PolicyDocuments#compile(String, long, java.util.Set)}; null: not checked).
     */
    public CompiledPolicy validate(String document, java.util.Set<String> operations) throws PolicyDocumentException {
        CompiledPolicy compiled = PolicyDocuments.compile(document, current().version() + 1, operations);
        database.inTransaction(c -> {
            checkAgainstRegistry(c, compiled);
            return null;
        });
        return compiled;
    }

    /**
     * Stores {@code document} as the next version if it passes {@link #validate}; returns it compiled.
     * Refused whole otherwise; nothing changes.
     */
    public CompiledPolicy apply(String document, Actor actor) throws PolicyDocumentException {
        return apply(document, actor, null);
    }

    /** As {@link #apply(String, Actor)}, with the operation check of {@link #validate(String, java.util.Set)}. */
    public CompiledPolicy apply(String document, Actor actor, java.util.Set<String> operations)
            throws PolicyDocumentException {
        Stored current = current();
        if (sameDocument(current.document(), document)) { // an unchanged policy applied again is no new version
            return PolicyDocuments.compile(document, current.version(), operations);
        }
        long next = current.version() + 1;
        CompiledPolicy compiled = PolicyDocuments.compile(document, next, operations);
        database.inTransaction(c -> {
            AuditLog.lockChain(c);
            checkAgainstRegistry(c, compiled);
            return store(c, next, document, actor);
        });
        return compiled;
    }

    /** Equal as JSON (members in any order, any white space); text that is not JSON is never the same. */
    static boolean sameDocument(String stored, String document) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            return json.readTree(stored).equals(json.readTree(document));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** The checks a policy needs the registry for: profiles in use, and someone left to govern. */
    private static void checkAgainstRegistry(java.sql.Connection c, CompiledPolicy compiled)
            throws java.sql.SQLException {
        List<String> orphaned = new ArrayList<>();
        try (PreparedStatement query = c.prepareStatement("SELECT profile, COUNT(*) FROM devices"
                + " WHERE state <> 'DECOMMISSIONED' GROUP BY profile ORDER BY profile");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                if (compiled.profile(rows.getString(1)).isEmpty()) {
                    orphaned.add("'" + rows.getString(1) + "' (" + rows.getInt(2) + " devices)");
                }
            }
        }
        if (!orphaned.isEmpty()) {
            throw Refusal.conflict("the policy drops profiles devices still use: " + String.join(", ", orphaned)
                    + "; keep them, or move or decommission those devices first");
        }
        Governance.require(compiled, OperatorRows.current(c), "this policy");
    }

    Stored store(java.sql.Connection c, long version, String document, Actor actor)
            throws java.sql.SQLException {
        Instant now = Instant.now();
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO policies (version, document, applied_at, applied_by) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, version);
            insert.setString(2, document);
            insert.setObject(3, SqlTime.utc(now));
            insert.setString(4, actor.id());
            insert.executeUpdate();
        }
        audit.append(c, actor, "policy.apply", "policy", version > 1 ? "version " + (version - 1) : null,
                "version " + version + " sha256=" + sha256(document));
        return new Stored(version, document, now, actor.id());
    }

    public static String shippedDefault() {
        try (InputStream in = PolicyStore.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped policy " + DEFAULT_RESOURCE + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped policy", e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
