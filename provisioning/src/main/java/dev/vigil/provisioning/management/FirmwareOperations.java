package dev.vigil.provisioning.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.firmware.PublishedFirmware;
import dev.vigil.provisioning.firmware.Rollout;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** {@code firmware.*}: signing keys, publishing signed images, rollouts in waves. */
final class FirmwareOperations {

    private final Registry registry;

    FirmwareOperations(Registry registry) {
        this.registry = registry;
    }

    void register(Map<String, Operation> operations) {
        operations.put("firmware.key.add", (caller, args) -> Args.object().put("name", Args.text(args, "name"))
                .put("keyId", registry.firmware().addKey(Args.text(args, "name"), Args.publicKey(args, "publicKey"),
                        Actor.operator(caller))));
        operations.put("firmware.key.list", (caller, args) -> {
            ArrayNode keys = Args.JSON.arrayNode();
            registry.firmware().keys().keySet().forEach(keys::add);
            return Args.object().set("keys", keys);
        });
        operations.put("firmware.publish", (caller, args) -> json(registry.firmware().publish(bytes(args, "manifest"),
                bytes(args, "image"), args.path("force").asBoolean(false), Actor.operator(caller))));
        operations.put("firmware.list", (caller, args) -> {
            ArrayNode list = Args.JSON.arrayNode();
            registry.firmware().list().forEach(f -> list.add(json(f)));
            return Args.object().set("firmware", list);
        });
        operations.put("firmware.show", (caller, args) -> {
            String version = Args.text(args, "version");
            return json(registry.firmware().findVersion(version)
                    .orElseThrow(() -> Refusal.notFound("no published firmware version " + version)));
        });
        operations.put("firmware.rollout", (caller, args) -> json(registry.rollouts().start(Args.text(args, "version"),
                Args.text(args, "profile"), waves(Args.optionalText(args, "waves")), share(args),
                args.path("haltOnAnomaly").asBoolean(false), args.path("force").asBoolean(false),
                Actor.operator(caller))));
        operations.put("firmware.rollout.status", (caller, args) -> {
            long id = Args.number(args, "id", 0);
            Rollout r = id > 0 ? registry.rollouts().status(id) : registry.rollouts()
                    .latest(Args.optionalText(args, "version")).orElseThrow(() -> Refusal.notFound("no rollout"));
            return json(registry.rollouts().evaluate(r.id()));
        });
        for (String verb : List.of("pause", "resume", "abort")) {
            operations.put("firmware.rollout." + verb, (caller, args) -> json(registry.rollouts().control(
                    Args.number(args, "id", 0), verb, Actor.operator(caller))));
        }
    }

    private static byte[] bytes(JsonNode args, String field) {
        try {
            return Base64.getDecoder().decode(Args.text(args, field));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be base64");
        }
    }

    private static List<Integer> waves(String text) {
        if (text == null) {
            return List.of(1, 10, 50, 100);
        }
        try {
            return Arrays.stream(text.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("waves must be percentages like 1,10,50,100, not '" + text + "'");
        }
    }

    private static double share(JsonNode args) {
        JsonNode value = args.get("maxFailures");
        if (value == null || value.isNull()) {
            return 0.02;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("maxFailures must be a share between 0 and 1");
        }
        return value.asDouble();
    }

    static ObjectNode json(PublishedFirmware f) {
        return Args.object().put("id", f.id()).put("vendor", f.manifest().vendor())
                .put("class", f.manifest().deviceClass()).put("version", f.manifest().version())
                .put("sequence", f.manifest().sequence()).put("sha256", f.manifest().digestHex())
                .put("size", f.manifest().size()).put("signedBy", f.signedBy())
                .put("publishedAt", f.publishedAt().toString()).put("publishedBy", f.publishedBy());
    }

    static ObjectNode json(Rollout r) {
        ObjectNode node = Args.object().put("id", r.id()).put("version", r.version()).put("profile", r.profile())
                .put("state", r.state().name()).put("wave", r.wave() + 1).put("waves", r.waves().toString())
                .put("maxFailures", r.maxFailures()).put("haltOnAnomaly", r.haltOnAnomaly())
                .put("assigned", r.assigned()).put("succeeded", r.succeeded()).put("failed", r.failed())
                .put("startedAt", r.startedAt().toString()).put("updatedAt", r.updatedAt().toString());
        if (r.reason() != null) {
            node.put("reason", r.reason());
        }
        return node;
    }
}
