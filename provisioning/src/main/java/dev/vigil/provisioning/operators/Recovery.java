package dev.vigil.provisioning.operators;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.audit.AuditLog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.CompiledPolicy;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import dev.vigil.provisioning.policy.PolicyDocuments;
import dev.vigil.provisioning.store.Database;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Break-glass recovery of a locked-out registry, for whoever has local access to the data directory (the
 * server stopped): adds an operator with a role that may govern ({@link Governance}); if the policy in
 * force has no such role, first stores the same policy plus a role {@code recovery} granting everything.
 * One transaction, audited with actor {@code system (vigil recover, local access to the data directory)}.
 */
public final class Recovery {

    /** What recovery did. */
    public record Result(Operator operator, String role, long policyVersion, boolean policyChanged) {
    }

    static final String ROLE = "recovery";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final AuditLog audit;

    public Recovery(Database database) {
        this.database = database;
        this.audit = new AuditLog(database);
    }

    public Result recover(String name, PublicKey key, String where) {
        Names.require("operator name", name);
        Actor actor = Actor.system("vigil recover, local access to " + where);
        PolicyStore policies = new PolicyStore(database, audit);
        PolicyStore.Stored stored = policies.current();
        OperatorRegistry operators = new OperatorRegistry(database, audit);
        Instant now = Instant.now();
        Result result = database.inTransaction(c -> {
            AuditLog.lockChain(c);
            CompiledPolicy policy = compile(stored.document(), stored.version());
            Optional<String> governing = new TreeSet<>(policy.roles()).stream()
                    .filter(role -> Governance.governs(policy, role)).findFirst();
            long version = stored.version();
            String role;
            if (governing.isPresent()) {
                role = governing.get();
            } else {
                ObjectNode document = (ObjectNode) read(stored.document());
                role = freeRoleName(document);
                document.withObjectProperty("roles").putObject(role).putArray("operations").add("*");
                String text = write(document);
                compile(text, ++version);
                policies.store(c, version, text, actor);
            }
            long id = operators.insert(c, name, key, role, actor, now);
            audit.append(c, actor, "operator.recover", name, null, "role=" + role
                    + (governing.isPresent() ? "" : " added to policy version " + version));
            return new Result(new Operator(id, name, KeyIds.of(key), role, now), role, version, governing.isEmpty());
        });
        operators.invalidate(result.operator().keyId());
        return result;
    }

    private static String freeRoleName(ObjectNode document) {
        String name = ROLE;
        for (int n = 2; document.path("roles").has(name); n++) {
            name = ROLE + "-" + n;
        }
        return name;
    }

    private static CompiledPolicy compile(String document, long version) {
        try {
            return PolicyDocuments.compile(document, version);
        } catch (PolicyDocumentException e) {
            throw new IllegalStateException("the policy in force does not compile: " + e.getMessage(), e);
        }
    }

    private static String write(ObjectNode document) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the recovered policy", e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode read(String document) {
        try {
            return JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the policy in force is not JSON", e);
        }
    }
}
