package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
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
    private final Result result = new Result();
    private final CommandDelivery delivery;

    CommandResource(Registry registry, Clock clock) {
        super("cmd");
        this.registry = registry;
        this.delivery = new CommandDelivery(registry, clock);
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
        delivery.deliver(exchange, device.get(), null);
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
            delivery.result(exchange, device.get(), path.get(1));
        }
    }
}
