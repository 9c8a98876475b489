package dev.vigil.provisioning.management;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.operators.OperatorRegistry;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.devices.EnrollmentTokens;
import dev.vigil.provisioning.SessionControl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Who may do what: operators and enrollment tokens. */
final class AccessOperations {

    private final Registry registry;
    private final SessionControl sessions;

    AccessOperations(Registry registry, SessionControl sessions) {
        this.registry = registry;
        this.sessions = sessions;
    }

    void register(Map<String, Operation> operations) {
        operations.put("operator.add", (caller, args) -> {
            Operator added = registry.operators().add(Args.text(args, "name"), Args.publicKey(args, "publicKey"),
                    Args.text(args, "role"), Actor.operator(caller));
            return json(added);
        });
        operations.put("operator.list", (caller, args) -> {
            ArrayNode list = Args.JSON.arrayNode();
            registry.operators().list().forEach(op -> list.add(json(op)));
            return Args.object().set("operators", list);
        });
        operations.put("operator.remove", (caller, args) -> {
            String name = Args.text(args, "name");
            String keyId = registry.operators().remove(name, Actor.operator(caller), registry.policy().policy());
            sessions.terminate(List.of(keyId));
            return Args.object().put("name", name).put("removed", true);
        });
        operations.put("operator.role", (caller, args) -> {
            String name = Args.text(args, "name");
            String role = Args.text(args, "role");
            boolean changed = registry.operators().changeRole(name, role, Actor.operator(caller),
                    registry.policy().policy());
            return Args.object().put("name", name).put("role", role).put("changed", changed);
        });
        operations.put("operator.rotate-key", (caller, args) -> {
            OperatorRegistry.KeyChange change = registry.operators().rotateOwnKey(caller,
                    Args.publicKey(args, "publicKey"), Args.base64(args, "proof"));
            // the reply goes back over the session of the old key: cut it (and any other of that key) after it
            ManagementService.afterReply(() -> sessions.terminate(List.of(change.oldKeyId())));
            return json(change);
        });
        operations.put("operator.set-key", (caller, args) -> {
            OperatorRegistry.KeyChange change = registry.operators().replaceKey(Args.text(args, "name"),
                    Args.publicKey(args, "publicKey"), Actor.operator(caller), registry.policy().policy());
            sessions.terminate(List.of(change.oldKeyId()));
            return json(change);
        });
        operations.put("operator.whoami", (caller, args) -> json(caller));
        operations.put("token.create", this::createToken);
        operations.put("token.list", (caller, args) -> {
            ArrayNode list = Args.JSON.arrayNode();
            for (EnrollmentTokens.Listed token : registry.tokens().list()) {
                var row = list.addObject().put("id", token.id()).put("profile", token.profile())
                        .put("usesLeft", token.usesLeft()).put("expiresAt", token.expiresAt().toString())
                        .put("createdBy", token.createdBy());
                if (token.deviceName() != null) {
                    row.put("name", token.deviceName());
                }
            }
            return Args.object().set("tokens", list);
        });
        operations.put("token.revoke", (caller, args) -> {
            String id = Args.text(args, "id");
            boolean revoked = registry.tokens().revoke(id, Actor.operator(caller));
            return Args.object().put("id", id).put("revoked", true).put("changed", revoked);
        });
    }

    private JsonNode createToken(Operator caller, JsonNode args) {
        long ttlSeconds = Args.number(args, "ttlSeconds", 3600);
        int uses = Args.integer(args, "uses", 1, 1, 100_000);
        EnrollmentTokens.Created token = registry.tokens().create(Args.text(args, "profile"),
                Args.optionalText(args, "name"), Duration.ofSeconds(ttlSeconds), uses, Actor.operator(caller));
        var result = Args.object().put("token", token.token()).put("profile", token.profile())
                .put("uses", token.uses()).put("expiresAt", token.expiresAt().toString());
        if (token.deviceName() != null) {
            result.put("name", token.deviceName());
        }
        return result;
    }

    private static JsonNode json(OperatorRegistry.KeyChange change) {
        return Args.object().put("name", change.name()).put("oldKeyId", change.oldKeyId())
                .put("keyId", change.newKeyId());
    }

    private static JsonNode json(Operator op) {
        return Args.object().put("name", op.name()).put("role", op.role()).put("keyId", op.keyId())
                .put("createdAt", op.createdAt().toString());
    }
}
