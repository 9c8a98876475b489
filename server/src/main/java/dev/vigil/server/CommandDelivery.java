package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.Action;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.Method;
import dev.vigil.policy.RequestFacts;
import dev.vigil.policy.Subject;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.commands.Command;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * Handing a device its open commands and taking its results, for {@code /cmd} (the device itself) and
 * {@code /gw/{child}/c} (its gateway carrying them): a command is delivered only while the receiving device's policy
 * allows it now — its profile lists it, at its trust tier, schedule — and, when a gateway carries it, while the
 * gateway's policy allows it too. Anything else is held, not dropped.
 */
final class CommandDelivery {

    private final Registry registry;
    private final Clock clock;

    CommandDelivery(Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** Answers {@code device}'s deliverable commands ({@code carrier}: the gateway carrying them, or null). */
    void deliver(CoapExchange exchange, DeviceIdentity device, DeviceIdentity carrier) {
        Request request = exchange.advanced().getRequest();
        List<Command> deliverable = deliverable(device, carrier);
        ArrayNode list = Payloads.JSON.createArrayNode();
        for (Command command : deliverable) {
            ObjectNode item = list.addObject().put("id", command.id()).put("command", command.name());
            try {
                item.set("args", Payloads.JSON.readTree(command.args()));
            } catch (java.io.IOException e) {
                item.putObject("args");
            }
        }
        registry.commands().delivered(deliverable.stream().map(Command::id).toList());
        exchange.respond(Payloads.response(ResponseCode.CONTENT, request, list));
    }

    /** The open commands of {@code device} its policy (and its carrier's, if any) lets it receive now. */
    List<Command> deliverable(DeviceIdentity device, DeviceIdentity carrier) {
        List<Command> open = registry.commands().open(device.deviceId());
        if (open.isEmpty()) {
            return open;
        }
        List<Command> allowed = new ArrayList<>();
        for (Command command : open) {
            if (allows(device, command) && (carrier == null || allows(carrier, command))) {
                allowed.add(command);
            }
        }
        return allowed;
    }

    private boolean allows(DeviceIdentity device, Command command) {
        Subject subject = registry.policy().device(device.deviceId(), device.profile());
        TrustTier tier = registry.trust().engine().tier(registry.trust().stateOf(device));
        RequestFacts facts = new RequestFacts(clock.millis(), Method.GET, RequestFacts.NO_CONTENT_FORMAT, 0, tier,
                FirmwareVersion.UNKNOWN);
        return registry.policy().decide(subject, Action.RECEIVE_COMMAND, command.name(), facts).allowed();
    }

    /** {@code {"status": "succeeded"|"failed", "result": ...}} for command {@code id} of {@code device}. */
    void result(CoapExchange exchange, DeviceIdentity device, String id) {
        long number;
        try {
            number = Long.parseLong(id);
        } catch (NumberFormatException e) {
            exchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        Request request = exchange.advanced().getRequest();
        if (!Payloads.readable(request.getOptions().getContentFormat())) {
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
            return;
        }
        String status;
        JsonNode detail;
        try {
            JsonNode body = Payloads.read(request);
            status = body.path("status").asText("");
            detail = body.get("result");
        } catch (Payloads.BadPayload e) {
            exchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        if (!status.equals("succeeded") && !status.equals("failed")) {
            exchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        try {
            registry.commands().complete(device.deviceId(), device.name(), number, status.equals("succeeded"),
                    detail == null || detail.isNull() ? null : detail.toString());
            exchange.respond(ResponseCode.CHANGED);
        } catch (Refusal e) {
            exchange.respond(e.reason() == Refusal.Reason.INVALID ? ResponseCode.REQUEST_ENTITY_TOO_LARGE
                    : ResponseCode.FORBIDDEN);
        }
    }
}
