package dev.vigil.provisioning.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.devices.Device;
import dev.vigil.provisioning.devices.DeviceKey;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.Registry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * {@code device.list} and {@code device.show}: what operators look at first — state, profile, trust tier, when
 * the device was last heard from, its live session (since, address, Connection ID), its newest stored reading
 * and the firmware it reports. {@code device.list} filters by state, profile, tier, name glob and "not heard
 * from for SECONDS", and sorts by name or by last seen.
 */
final class DeviceViews {

    private final Registry registry;
    private final LiveActivity activity;
    private final Clock clock;

    DeviceViews(Registry registry, LiveActivity activity, Clock clock) {
        this.registry = registry;
        this.activity = activity;
        this.clock = clock;
    }

    void register(Map<String, Operation> operations) {
        operations.put("device.list", (caller, args) -> list(args));
        operations.put("device.show", (caller, args) -> show(Args.text(args, "name")));
    }

    private JsonNode list(JsonNode args) {
        String tierText = Args.optionalText(args, "tier");
        TrustTier tier = tierText == null ? null : DeviceOperations.tier(tierText);
        String stateText = Args.optionalText(args, "state");
        DeviceState state = stateText == null ? null : DeviceOperations.state(stateText);
        String profile = Args.optionalText(args, "profile");
        String nameGlob = Args.optionalText(args, "name");
        Pattern name = nameGlob == null ? null : glob(nameGlob);
        long seenBefore = args.has("seenBeforeSeconds") ? Args.integer(args, "seenBeforeSeconds", 0, 1, Integer.MAX_VALUE)
                : -1;
        String sort = Args.optionalText(args, "sort");
        if (sort != null && !sort.equals("name") && !sort.equals("last-seen")) {
            throw new IllegalArgumentException("sort must be name or last-seen, not '" + sort + "'");
        }
        long now = clock.millis();
        Map<String, LiveActivity.Session> sessions = activity.sessions();
        java.util.List<ObjectNode> rows = new java.util.ArrayList<>();
        for (Device device : registry.devices().list()) {
            TrustTier current = registry.trust().tierOf(device.id());
            OptionalLong last = activity.lastRequestMillis(device.id());
            if ((tier != null && tier != current) || (state != null && state != device.state())
                    || (profile != null && !profile.equals(device.profile()))
                    || (name != null && !name.matcher(device.name()).matches())
                    || (seenBefore >= 0 && last.isPresent() && now - last.getAsLong() < seenBefore * 1000)) {
                continue;
            }
            ObjectNode row = DeviceOperations.json(device).put("trustTier", current.name());
            last.ifPresent(millis -> row.put("lastSeen", Instant.ofEpochMilli(millis).toString()));
            row.put("online", device.keyId() != null && sessions.containsKey(device.keyId()));
            rows.add(row);
        }
        if ("last-seen".equals(sort)) { // least recently seen first; never seen before all
            rows.sort(java.util.Comparator.comparing((ObjectNode r) -> r.path("lastSeen").asText("")));
        }
        ArrayNode list = Args.JSON.arrayNode();
        rows.forEach(list::add);
        return Args.object().set("devices", list);
    }

    private JsonNode show(String name) {
        DeviceRegistry.Details details = registry.devices().show(name);
        Device device = details.device();
        ObjectNode result = DeviceOperations.json(device).put("rotationRequested", details.rotationRequested())
                .put("trustScore", registry.trust().scoreOf(device.id()))
                .put("trustTier", registry.trust().tierOf(device.id()).name());
        activity.lastRequestMillis(device.id())
                .ifPresent(millis -> result.put("lastSeen", Instant.ofEpochMilli(millis).toString()));
        registry.telemetry().lastReceived(device.id())
                .ifPresent(at -> result.put("lastReading", at.toString()));
        long firmware = registry.rollouts().runningVersion(device.id());
        if (firmware != FirmwareVersion.UNKNOWN) {
            result.put("firmware", FirmwareVersion.format(firmware));
        }
        LiveActivity.Session session = device.keyId() == null ? null : activity.sessions().get(device.keyId());
        if (session != null) {
            ObjectNode live = result.putObject("session").put("since", session.since().toString())
                    .put("address", session.address()).put("handshake", session.resumed() ? "resumed" : "full");
            if (session.connectionId() != null) {
                live.put("connectionId", session.connectionId());
            }
        }
        ArrayNode keys = result.putArray("keys");
        for (DeviceKey key : details.keys()) {
            ObjectNode k = keys.addObject().put("keyId", key.keyId()).put("state", key.state().name())
                    .put("createdAt", key.createdAt().toString());
            if (key.activatedAt() != null) {
                k.put("activatedAt", key.activatedAt().toString());
            }
        }
        return result;
    }

    /** A shell-style glob ({@code *}, {@code ?}) as a whole-name pattern. */
    private static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }
}
