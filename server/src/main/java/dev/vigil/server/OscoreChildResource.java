package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * Where the request gate delivers every verified OSCORE request (whatever its inner Uri-Path): readings stored as
 * the child's own through the telemetry resource, never the gateway's. Not in the resource tree; the fence is
 * asked again here so that nothing is stored for a child its carrier may not carry.
 */
final class OscoreChildResource extends CoapResource {

    private final Registry registry;
    private final OscoreFence fence;
    private final TelemetryResource telemetry;
    private final Clock clock;

    OscoreChildResource(Registry registry, TelemetryResource telemetry, Clock clock) {
        super("oscore-child");
        this.registry = registry;
        this.fence = new OscoreFence(registry, null);
        this.telemetry = telemetry;
        this.clock = clock;
        setVisible(false);
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Optional<DeviceIdentity> carrier = Peers.trustedDevice(exchange.advanced(), registry.devices());
        Optional<DeviceIdentity> child = fence.carried(exchange.advanced(), carrier, clock.millis());
        var path = exchange.advanced().getRequest().getOptions().getUriPath();
        if (child.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        if (path.size() != 1 || !"t".equals(path.get(0))) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        telemetry.store(exchange, child.get());
    }
}
