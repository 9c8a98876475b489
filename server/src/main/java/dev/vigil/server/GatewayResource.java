package dev.vigil.server;

import dev.vigil.provisioning.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.ChildLink;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code POST /gw/{child}/t}: a gateway posting its proxied child's SenML readings, stored as the child's
 * (never the gateway's) with the same checks and {@code ?s=N} numbering as {@code /t}. The request gate's
 * {@link GatewayFence} has judged it already; the fence is asked again here so that the resource never
 * stores for a child its caller does not carry, whatever deliverer is in front of it.
 */
final class GatewayResource extends CoapResource {

    private final Registry registry;
    private final GatewayFence fence;
    private final TelemetryResource telemetry;

    GatewayResource(Registry registry, TelemetryResource telemetry) {
        super(GatewayFence.RESOURCE);
        this.registry = registry;
        this.fence = new GatewayFence(registry, null);
        this.telemetry = telemetry;
        setVisible(false);
    }

    /** Every path below {@code /gw} is this resource: the child's name and the resource are read from the path. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        List<String> path = exchange.advanced().getRequest().getOptions().getUriPath();
        Optional<DeviceIdentity> gateway = Peers.trustedDevice(exchange.advanced(), registry.devices());
        if (gateway.isEmpty() || path.size() != 3) {
            exchange.respond(gateway.isEmpty() ? ResponseCode.FORBIDDEN : ResponseCode.NOT_FOUND);
            return;
        }
        Optional<ChildLink> link = fence.link(path.get(1));
        Optional<DeviceIdentity> child = link.map(ChildLink::childKeyId).flatMap(registry.devices()::findByKeyId);
        if (fence.refusal(gateway.get(), path.get(1), link, child) != null) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        if (!"t".equals(path.get(2))) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        telemetry.store(exchange, child.get());
    }
}
