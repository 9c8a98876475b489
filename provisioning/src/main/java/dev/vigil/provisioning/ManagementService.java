package dev.vigil.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.ManagementException.Reason;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Map;

/**
 * The operations operators can ask for, by name, with JSON arguments and JSON results. Transport
 * agnostic: the server exposes it over CoAPS, the CLI calls it through a {@code ManagementClient}.
 */
public final class ManagementService {

    @FunctionalInterface
    private interface Operation {
        JsonNode run(Operator caller, JsonNode args) throws ManagementException;
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_TAIL = 1000;

    private final DeviceRegistry devices;
    private final TelemetryStore telemetry;
    private final Map<String, Operation> operations;

    public ManagementService(DeviceRegistry devices, TelemetryStore telemetry) {
        this.devices = devices;
        this.telemetry = telemetry;
        this.operations = Map.of(
                "device.add", this::addDevice,
                "device.list", this::listDevices,
                "telemetry.tail", this::tailTelemetry);
    }

    public JsonNode handle(Operator caller, String operation, JsonNode args) throws ManagementException {
        Operation op = operations.get(operation);
        if (op == null) {
            throw new ManagementException(Reason.NOT_FOUND, "unknown operation '" + operation + "'");
        }
        try {
            return op.run(caller, args == null ? JSON.objectNode() : args);
        } catch (IllegalArgumentException e) {
            throw new ManagementException(Reason.BAD_REQUEST, e.getMessage());
        }
    }

    private JsonNode addDevice(Operator caller, JsonNode args) throws ManagementException {
        String name = text(args, "name");
        PublicKey key;
        try {
            key = PemFiles.parsePublicKey(text(args, "publicKey"), "publicKey");
        } catch (IOException e) {
            throw new ManagementException(Reason.BAD_REQUEST, e.getMessage());
        }
        try {
            return toJson(devices.add(name, key, text(args, "profile")));
        } catch (DuplicateException e) {
            throw new ManagementException(Reason.CONFLICT, e.getMessage());
        }
    }

    private JsonNode listDevices(Operator caller, JsonNode args) {
        ArrayNode list = JSON.arrayNode();
        devices.list().forEach(device -> list.add(toJson(device)));
        return JSON.objectNode().set("devices", list);
    }

    private JsonNode tailTelemetry(Operator caller, JsonNode args) throws ManagementException {
        String name = text(args, "device");
        int limit = args.path("limit").asInt(20);
        if (limit < 1 || limit > MAX_TAIL) {
            throw new ManagementException(Reason.BAD_REQUEST, "limit must be between 1 and " + MAX_TAIL);
        }
        if (devices.idOf(name).isEmpty()) {
            throw new ManagementException(Reason.NOT_FOUND, "no device named '" + name + "'");
        }
        ArrayNode readings = JSON.arrayNode();
        for (StoredReading stored : telemetry.tail(name, limit)) {
            Reading r = stored.reading();
            ObjectNode row = readings.addObject()
                    .put("id", stored.id())
                    .put("receivedAt", stored.receivedAt().toString())
                    .put("name", r.name());
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
        return JSON.objectNode().put("device", name).set("readings", readings);
    }

    private static ObjectNode toJson(Device device) {
        return JSON.objectNode()
                .put("name", device.name())
                .put("keyId", device.keyId())
                .put("profile", device.profile())
                .put("state", device.state().name())
                .put("createdAt", device.createdAt().toString())
                .put("updatedAt", device.updatedAt().toString());
    }

    private static String text(JsonNode args, String field) {
        JsonNode value = args.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("missing text field '" + field + "'");
        }
        return value.asText();
    }
}
