package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.Action;
import dev.vigil.policy.Decision;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.Method;
import dev.vigil.policy.RequestFacts;
import dev.vigil.policy.Subject;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.DeviceIdentity;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.commands.Command;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code GET /cmd} (Observe, RFC 7641): the caller's open commands that its policy lets it receive now, as
 * CBOR (or JSON) {@code [{"id", "command", "args"}]}; each is sent again until the device reports a result,
 * so a lost notification loses nothing. Commands its profile lists but its trust tier (LIMITED,
 * QUARANTINED), schedule or firmware does not allow now are held, not dropped. A queued command, or a
 * device's tier going back up, notifies that device's observation at once.
 * {@code POST /cmd/{id}} {@code {"status": "succeeded"|"failed", "result": ...}}: the device's result; for a
 * command that is not its own, 4.03.
 */
final class CommandResource extends CoapResource {

    private final Registry registry;
    private final Clock clock;
    private final Result result = new Result();

    CommandResource(Registry registry, Clock clock) {
        super("cmd");
        this.registry = registry;
        this.clock = clock;
        setObservable(true);
        setObserveType(Type.CON);
        getAttributes().setObservable();
        getAttributes().setTitle("Commands for this device");
        registry.commands().onQueued(this::notifyDevice);
        registry.trust().onChange(this::notifyDevice);
    }

    @Override
    public Resource getChild(String name) {
        return result; // /cmd/{id}: any id; the result handler checks it is the caller's
    }

    /** Tells the device's observation of {@code /cmd} to look again (a command queued, its tier went up). */
    void notifyDevice(long deviceId) {
        changed(relation -> deviceOf(relation).filter(device -> device.deviceId() == deviceId).isPresent());
    }

    private Optional<DeviceIdentity> deviceOf(ObserveRelation relation) {
        return Peers.keyId(relation.getExchange()).flatMap(registry.devices()::findByKeyId);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<DeviceIdentity> device = Peers.trustedDevice(exchange.advanced(), registry.devices());
        if (device.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        Request request = exchange.advanced().getRequest();
        List<Command> deliverable = deliverable(device.get());
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

    /** The open commands the device's policy lets it receive now, at its current trust tier. */
    private List<Command> deliverable(DeviceIdentity device) {
        List<Command> open = registry.commands().open(device.deviceId());
        if (open.isEmpty()) {
            return open;
        }
        Subject subject = registry.policy().device(device.deviceId(), device.profile());
        TrustTier tier = registry.trust().engine().tier(registry.trust().stateOf(device));
        RequestFacts facts = new RequestFacts(clock.millis(), Method.GET, RequestFacts.NO_CONTENT_FORMAT, 0, tier,
                FirmwareVersion.UNKNOWN);
        List<Command> allowed = new ArrayList<>();
        for (Command command : open) {
            Decision decision = registry.policy().decide(subject, Action.RECEIVE_COMMAND, command.name(), facts);
            if (decision.allowed()) {
                allowed.add(command);
            }
        }
        return allowed;
    }

    /** {@code /cmd/{id}}: a device's result for one of its commands. */
    private final class Result extends CoapResource {

        Result() {
            super("result");
            setVisible(false);
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            Optional<DeviceIdentity> device = Peers.trustedDevice(exchange.advanced(), registry.devices());
            List<String> path = exchange.getRequestOptions().getUriPath();
            if (device.isEmpty() || path.size() != 2) {
                exchange.respond(ResponseCode.FORBIDDEN);
                return;
            }
            long id;
            try {
                id = Long.parseLong(path.get(1));
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
                registry.commands().complete(device.get().deviceId(), device.get().name(), id,
                        status.equals("succeeded"), detail == null || detail.isNull() ? null : detail.toString());
                exchange.respond(ResponseCode.CHANGED);
            } catch (Refusal e) {
                exchange.respond(e.reason() == Refusal.Reason.INVALID ? ResponseCode.REQUEST_ENTITY_TOO_LARGE
                        : ResponseCode.FORBIDDEN);
            }
        }
    }
}
