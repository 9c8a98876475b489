package dev.vigil.provisioning.management;

import dev.vigil.provisioning.cluster.ChangeLog;
import dev.vigil.provisioning.cluster.NodeDirectory;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.operators.OperatorLabels;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.telemetry.Reading;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.telemetry.StoredReading;
import dev.vigil.provisioning.SessionControl;

import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.audit.SecurityEvents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** What happened: telemetry, the audit log, security events and the node's status. */
final class RecordOperations {

    static final String VERSION = "0.1.0";
    private static final int MAX_PAGE = 1000;

    private final Registry registry;
    private final SessionControl sessions;

    RecordOperations(Registry registry, SessionControl sessions) {
        this.registry = registry;
        this.sessions = sessions;
    }

    void register(Map<String, Operation> operations) {
        operations.put("telemetry.tail", (caller, args) -> tailTelemetry(args));
        operations.put("audit.tail", (caller, args) -> auditTail(args));
        operations.put("audit.verify", (caller, args) -> AuditReport.of(registry.audit().verify()));
        operations.put("events", (caller, args) -> events(args));
        operations.put("status", (caller, args) -> status());
    }

    private JsonNode tailTelemetry(JsonNode args) {
        String name = Args.text(args, "device");
        int limit = Args.integer(args, "limit", 20, 1, MAX_PAGE);
        if (registry.devices().idOf(name).isEmpty()) {
            throw Refusal.notFound("no device named '" + name + "'");
        }
        long after = Args.number(args, "after", -1);
        ArrayNode readings = Args.JSON.arrayNode();
        for (StoredReading stored : after < 0 ? registry.telemetry().tail(name, limit)
                : registry.telemetry().since(name, after, limit)) {
            Reading r = stored.reading();
            ObjectNode row = readings.addObject().put("id", stored.id()).put("seq", stored.id())
                    .put("receivedAt", stored.receivedAt().toString()).put("name", r.name());
            if (r.unit() != null) {
                row.put("unit", r.unit());
            }
            if (r.number() != null) {
                row.put("v", r.number());
            } else if (r.text() != null) {
                row.put("vs", r.text());
            } else {
                row.put("vb", r.bool());
            }
            if (r.measuredAt() != null) {
                row.put("t", r.measuredAt());
            }
        }
        return Args.object().put("device", name).set("readings", readings);
    }

    private JsonNode auditTail(JsonNode args) {
        int limit = Args.integer(args, "limit", 20, 1, MAX_PAGE);
        long after = Args.number(args, "after", -1);
        ArrayNode entries = Args.JSON.arrayNode();
        OperatorLabels labels = registry.operators().labels();
        for (AuditLog.Entry e : after < 0 ? registry.audit().tail(limit) : registry.audit().since(after, limit)) {
            ObjectNode row = entries.addObject().put("seq", e.seq()).put("at", e.at().toString())
                    .put("actor", e.actor()).put("actorLabel", labels.label(e.actor())).put("action", e.action())
                    .put("target", e.target());
            row.put("before", e.before()).put("after", e.after()).put("hash", e.hash());
        }
        return Args.object().set("entries", entries);
    }

    private JsonNode events(JsonNode args) {
        int limit = Args.integer(args, "limit", 50, 1, MAX_PAGE);
        long after = Args.number(args, "after", -1);
        ArrayNode list = Args.JSON.arrayNode();
        OperatorLabels labels = registry.operators().labels();
        for (SecurityEvents.Event e : after < 0 ? registry.events().tail(limit) : registry.events().since(after, limit)) {
            list.addObject().put("seq", e.seq()).put("at", e.at().toString()).put("type", e.type())
                    .put("subject", e.subject()).put("subjectLabel", labels.label(e.subject()))
                    .put("detail", e.detail()).put("count", e.count());
        }
        return Args.object().set("events", list);
    }

    private JsonNode status() {
        Map<String, Integer> byState = new TreeMap<>();
        for (DeviceState state : DeviceState.values()) {
            byState.put(state.name(), 0);
        }
        registry.devices().countByState().forEach((state, count) -> byState.put(state.name(), count));
        ObjectNode states = Args.object();
        byState.forEach(states::put);
        ObjectNode node = Args.object().put("version", VERSION)
                .put("startedAt", registry.startedAt().toString())
                .put("uptimeSeconds", Duration.between(registry.startedAt(), Instant.now()).toSeconds())
                .put("liveSessions", sessions.liveDeviceSessions())
                .put("securityEvents", registry.events().count());
        node.set("devices", states);
        node.put("changeFeedSeq", ChangeLog.newest(registry.database()));
        var nodes = node.putArray("nodes");
        for (NodeDirectory.Node n : new NodeDirectory(registry.database()).list()) {
            nodes.addObject().put("id", n.id()).put("address", n.address()).put("startedAt", n.startedAt().toString())
                    .put("lastSeen", n.lastSeen().toString()).put("lastSeq", n.lastSeq()).put("sessions", n.sessions());
        }
        return node;
    }
}
