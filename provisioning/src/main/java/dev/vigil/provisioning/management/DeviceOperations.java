package dev.vigil.provisioning.management;

import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.devices.LifecycleChange;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.Device;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.devices.Manifest;
import dev.vigil.provisioning.devices.DeviceKey;
import dev.vigil.provisioning.devices.Lifecycle;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.SessionControl;
import dev.vigil.provisioning.devices.ManifestRow;
import dev.vigil.provisioning.gateways.ChildMode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.TrustTier;
import dev.vigil.policy.trust.TrustExplanation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Device operations: add, import, list, show, lifecycle transitions, rotation requests. */
final class DeviceOperations {

    /** Rows of a manifest sent in chunks, held until the last chunk commits them in one go. */
    private record Staged(String operator, List<ManifestRow> rows, long startedAt) {
    }

    static final int MAX_STAGED_ROWS = 1_000_000;
    private static final long STAGING_TTL_MS = 10 * 60_000;

    private final Registry registry;
    private final SessionControl sessions;
    private final Map<String, Staged> staging = new ConcurrentHashMap<>();

    DeviceOperations(Registry registry, SessionControl sessions) {
        this.registry = registry;
        this.sessions = sessions;
    }

    void register(Map<String, Operation> operations) {
        operations.put("device.add", this::add);
        operations.put("device.import", this::importChunk);
        for (Lifecycle transition : List.of(Lifecycle.APPROVE, Lifecycle.SUSPEND, Lifecycle.QUARANTINE,
                Lifecycle.REINSTATE, Lifecycle.DECOMMISSION)) {
            operations.put("device." + transition.verb(), (caller, args) -> change(caller, args, transition));
        }
        operations.put("device.trust", (caller, args) -> trust(registry.trust().explain(Args.text(args, "name"))));
        operations.put("device.trust.release", (caller, args) -> trust(registry.trust().release(Args.text(args, "name"),
                Actor.operator(caller))));
        operations.put("device.trust.pin", (caller, args) -> {
            String tier = Args.optionalText(args, "tier");
            return trust(registry.trust().pin(Args.text(args, "name"), tier == null ? null : tier(tier),
                    Actor.operator(caller)));
        });
        operations.put("key.rotate", (caller, args) -> {
            String name = Args.text(args, "name");
            registry.devices().requestRotation(name, Actor.operator(caller));
            return Args.object().put("name", name).put("rotationRequested", true);
        });
    }

    private JsonNode add(Operator caller, JsonNode args) {
        String profile = Args.text(args, "profile");
        if (!registry.profiles().exists(profile)) {
            throw Refusal.invalid("no profile named '" + profile + "' in the policy in force");
        }
        String via = Args.optionalText(args, "via");
        String mode = Args.optionalText(args, "mode");
        if (via == null) {
            if (mode != null) {
                throw new IllegalArgumentException("a mode needs a gateway (via)");
            }
            return json(registry.devices().add(Args.text(args, "name"), Args.publicKey(args, "publicKey"), profile,
                    Actor.operator(caller)));
        }
        ChildMode childMode = mode == null ? ChildMode.PROXY : ChildMode.of(mode);
        if (childMode == ChildMode.OSCORE) { // the child's side of its context goes back once, in this answer only
            // a child that cannot do ECDHE has no key pair: its registry identity is then a key nobody holds
            var key = args.hasNonNull("publicKey") ? Args.publicKey(args, "publicKey")
                    : dev.vigil.provisioning.keys.PemFiles.generateP256().getPublic();
            var added = registry.gateways().addOscoreChild(Args.text(args, "name"), key, profile, via,
                    Actor.operator(caller));
            var answer = json(added.device()).put("via", via).put("mode", childMode.id())
                    .put("kid", added.material().kid());
            answer.set("oscore", added.material().childSide());
            return answer;
        }
        if (args.path("psk").asBoolean(false)) { // identity and key go back once, in this answer only
            if (childMode != ChildMode.PROXY) {
                throw Refusal.invalid("a PSK is only for a proxy child");
            }
            // a PSK-only child has no key pair: its registry identity is then a key nobody holds
            var key = args.hasNonNull("publicKey") ? Args.publicKey(args, "publicKey")
                    : dev.vigil.provisioning.keys.PemFiles.generateP256().getPublic();
            var added = registry.gateways().addPskChild(Args.text(args, "name"), key, profile, via,
                    Actor.operator(caller));
            var answer = json(added.device()).put("via", via).put("mode", childMode.id());
            answer.putObject("psk").put("identity", added.material().identity())
                    .put("key", added.material().keyText());
            return answer;
        }
        return json(registry.gateways().addChild(Args.text(args, "name"), Args.publicKey(args, "publicKey"), profile,
                via, childMode, Actor.operator(caller))).put("via", via).put("mode", childMode.id());
    }

    /** {@code {"import": id, "source": file, "rows": [{name, profile, key}], "last": bool}}. */
    private JsonNode importChunk(Operator caller, JsonNode args) {
        String id = Args.text(args, "import");
        staging.values().removeIf(s -> System.currentTimeMillis() - s.startedAt() > STAGING_TTL_MS);
        Staged staged = staging.computeIfAbsent(id,
                k -> new Staged(caller.keyId(), new ArrayList<>(), System.currentTimeMillis()));
        if (!staged.operator().equals(caller.keyId())) {
            throw Refusal.denied("import " + id + " belongs to another operator");
        }
        List<ManifestRow> rows = new ArrayList<>();
        for (JsonNode row : args.path("rows")) {
            try {
                rows.add(Manifest.row(row.path("name").asText(null), row.path("profile").asText(null),
                        row.path("key").asText(null)));
            } catch (IOException | IllegalArgumentException e) {
                staging.remove(id);
                throw Refusal.invalid("device '" + row.path("name").asText() + "': " + e.getMessage()
                        + "; import cancelled, nothing imported");
            }
        }
        synchronized (staged) {
            if (staged.rows().size() + rows.size() > MAX_STAGED_ROWS) {
                staging.remove(id);
                throw Refusal.invalid("an import holds at most " + MAX_STAGED_ROWS + " devices");
            }
            staged.rows().addAll(rows);
            if (!args.path("last").asBoolean(false)) {
                return Args.object().put("staged", staged.rows().size());
            }
            staging.remove(id);
            int imported = registry.importer().importAll(staged.rows(), Args.text(args, "source"),
                    Actor.operator(caller), n -> { });
            return Args.object().put("imported", imported);
        }
    }

    static TrustTier tier(String name) {
        try {
            return TrustTier.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tier must be TRUSTED, LIMITED or QUARANTINED, not '" + name + "'");
        }
    }

    /** The engine's explanation: score, tier, signals and their points, recent changes, baseline figures. */
    private static JsonNode trust(TrustExplanation e) {
        ObjectNode node = Args.object().put("score", e.score()).put("tier", e.tier().name())
                .put("suspendIssued", e.suspendIssued());
        if (e.pinned() != null) {
            node.put("pinned", e.pinned().name());
        }
        ArrayNode signals = node.putArray("signals");
        e.contributions().forEach(c -> signals.addObject().put("signal", c.signal().name()).put("points", c.points()));
        ArrayNode recent = node.putArray("recent");
        for (TrustExplanation.Recent r : e.recent()) {
            ObjectNode row = recent.addObject().put("at", java.time.Instant.ofEpochMilli(r.atMillis()).toString())
                    .put("tier", r.to().name()).put("score", r.score()).put("suspend", r.suspend())
                    .put("operator", r.operator());
            if (r.cause() != null) {
                row.put("cause", r.cause().name());
            }
        }
        ObjectNode baseline = node.putObject("baseline");
        new java.util.TreeMap<>(e.baseline()).forEach(baseline::put);
        return node;
    }

    /**
     * {@code {"name": N}} (the single form, answered as before), {@code {"names": [...]}} (one batch of at most
     * {@link DeviceRegistry#MAX_BATCH}, one transaction) or {@code {"selector": {profile, state, tier}}} (resolved
     * here, then changed in transactions of at most {@link DeviceRegistry#MAX_BATCH}).
     */
    private JsonNode change(Operator caller, JsonNode args, Lifecycle transition) {
        List<String> touched = new ArrayList<>();
        String rehomeTo = Args.optionalText(args, "rehomeTo");
        boolean orphan = args.path("orphanChildren").asBoolean(false);
        if (transition != Lifecycle.DECOMMISSION && (rehomeTo != null || orphan)) {
            throw new IllegalArgumentException("rehomeTo and orphanChildren are for decommission only");
        }
        DeviceRegistry.Within within = transition == Lifecycle.DECOMMISSION
                ? registry.gateways().onDecommission(rehomeTo, orphan, Actor.operator(caller), touched) : (c, id) -> { };
        if (args.hasNonNull("name")) {
            return children(line(change(List.of(Args.text(args, "name")), transition, caller, within).get(0)), touched,
                    rehomeTo);
        }
        List<String> names = new ArrayList<>();
        if (args.hasNonNull("selector")) {
            names.addAll(select(args.get("selector")));
        } else if (args.path("names").isArray()) {
            args.get("names").forEach(n -> names.add(n.asText()));
            if (names.size() > DeviceRegistry.MAX_BATCH) {
                throw Refusal.invalid("a request names at most " + DeviceRegistry.MAX_BATCH + " devices, not "
                        + names.size());
            }
        } else {
            throw new IllegalArgumentException("give name, names or selector");
        }
        ArrayNode devices = Args.JSON.arrayNode();
        int changed = 0;
        for (int from = 0; from < names.size(); from += DeviceRegistry.MAX_BATCH) {
            for (LifecycleChange change : change(names.subList(from,
                    Math.min(names.size(), from + DeviceRegistry.MAX_BATCH)), transition, caller, within)) {
                devices.add(line(change));
                changed += change.changed() ? 1 : 0;
            }
        }
        ObjectNode result = Args.object().put("changed", changed).put("unchanged", devices.size() - changed);
        result.set("devices", devices);
        return children(result, touched, rehomeTo);
    }

    /** A decommissioned gateway's children, re-homed ({@code "rehomedTo"}) or detached ({@code "orphaned"}). */
    private static ObjectNode children(ObjectNode result, List<String> touched, String rehomeTo) {
        if (!touched.isEmpty()) {
            touched.forEach(result.putArray(rehomeTo != null ? "rehomed" : "orphaned")::add);
            if (rehomeTo != null) {
                result.put("rehomedTo", rehomeTo);
            }
        }
        return result;
    }

    /** One batch in one transaction (with {@code within} for each device that changes); then the live sessions. */
    private List<LifecycleChange> change(List<String> names, Lifecycle transition, Operator caller,
            DeviceRegistry.Within within) {
        List<LifecycleChange> changes = registry.devices().changeAll(names, transition, Actor.operator(caller), within);
        List<String> cut = new ArrayList<>();
        for (LifecycleChange change : changes) {
            DeviceState after = change.device().state();
            if (!change.changed()) {
                continue;
            }
            if (after == DeviceState.SUSPENDED || after == DeviceState.DECOMMISSIONED) {
                cut.addAll(change.keyIds());
            }
            if (after == DeviceState.DECOMMISSIONED) {
                registry.policy().forgetDevice(change.device().id());
                registry.trust().forget(change.device().id());
            }
        }
        if (!cut.isEmpty()) {
            sessions.terminate(cut);
        }
        return changes;
    }

    /** Names of the devices a selector picks; decommissioned ones only when it asks for that state. */
    private List<String> select(JsonNode selector) {
        String profile = Args.optionalText(selector, "profile");
        String state = Args.optionalText(selector, "state");
        TrustTier tier = selector.hasNonNull("tier") ? tier(Args.text(selector, "tier")) : null;
        DeviceState only = state == null ? null : state(state);
        List<String> names = new ArrayList<>();
        for (Device device : registry.devices().list()) {
            if ((profile == null || profile.equals(device.profile()))
                    && (only == null ? device.state() != DeviceState.DECOMMISSIONED : only == device.state())
                    && (tier == null || tier == registry.trust().tierOf(device.id()))) {
                names.add(device.name());
            }
        }
        return names;
    }

    static DeviceState state(String name) {
        try {
            return DeviceState.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("state must be one of " + java.util.Arrays.toString(DeviceState.values())
                    + ", not '" + name + "'");
        }
    }

    private static ObjectNode line(LifecycleChange change) {
        return Args.object().put("name", change.device().name()).put("before", change.before().name())
                .put("state", change.device().state().name()).put("changed", change.changed());
    }

    static ObjectNode json(Device device) {
        ObjectNode node = Args.object()
                .put("name", device.name())
                .put("profile", device.profile())
                .put("state", device.state().name())
                .put("createdAt", device.createdAt().toString())
                .put("updatedAt", device.updatedAt().toString());
        if (device.keyId() != null) {
            node.put("keyId", device.keyId());
        }
        return node;
    }
}
