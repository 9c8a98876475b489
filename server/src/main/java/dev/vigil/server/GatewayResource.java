package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.gateways.Child;
import dev.vigil.provisioning.gateways.ChildLink;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code GET /gw}: a gateway's child list; {@code POST /gw/{child}/t}: a gateway posting its proxied child's SenML
 * readings, stored as the child's (never the gateway's) with the same checks and {@code ?s=N} numbering as
 * {@code /t}; {@code GET /gw/{child}/c} and {@code POST /gw/{child}/c/{id}}: the child's commands, carried by its
 * gateway as {@code /cmd} and {@code /cmd/{id}} are for a device itself, only those both policies allow. The request gate's
 * {@link GatewayFence} has judged it already; the fence is asked again here so that the resource never
 * stores for a child its caller does not carry, whatever deliverer is in front of it.
 */
final class GatewayResource extends CoapResource {

    private final Registry registry;
    private final GatewayFence fence;
    private final TelemetryResource telemetry;
    private final CommandDelivery commands;

    GatewayResource(Registry registry, TelemetryResource telemetry, CommandDelivery commands) {
        super(GatewayFence.RESOURCE);
        this.registry = registry;
        this.fence = new GatewayFence(registry, null);
        this.telemetry = telemetry;
        this.commands = commands;
        setVisible(false);
    }

    /** Every path below {@code /gw} is this resource: the child's name and the resource are read from the path. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    /**
     * {@code GET /gw}: the caller's children, a CBOR array of {@code {"name","key","mode"}} ({@code key} is the
     * child's ACTIVE key id, {@code ni:///sha-256;...} of its SubjectPublicKeyInfo, which the gateway compares with
     * the raw public key a child proves in its own handshake), and for a proxy child with a pre-shared key {@code
     * "psk"} (a byte string; its identity is its name). The ETag is a digest of the list: a gateway that
     * sends it back gets 2.03 while nothing changed. A device with no children (or no trusted caller): 4.03.
     */
    @Override
    public void handleGET(CoapExchange exchange) {
        List<String> path = exchange.advanced().getRequest().getOptions().getUriPath();
        if (path.size() == 3 && "cmd".equals(GatewayFence.proxied(path))) {
            childCommands(exchange, path);
            return;
        }
        Optional<DeviceIdentity> gateway = Peers.trustedDevice(exchange.advanced(), registry.devices());
        if (gateway.isEmpty() || exchange.advanced().getRequest().getOptions().getUriPath().size() != 1) {
            exchange.respond(gateway.isEmpty() ? ResponseCode.FORBIDDEN : ResponseCode.NOT_FOUND);
            return;
        }
        List<Child> children = registry.gateways().children(gateway.get().name());
        if (children.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        ArrayNode list = Payloads.CBOR.createArrayNode();
        java.util.Map<String, byte[]> psks = registry.gateways().psk().ofGateway(gateway.get().name());
        for (Child child : children) {
            if (child.state() == DeviceState.ACTIVE && child.keyId() != null) {
                var entry = list.addObject().put("name", child.name()).put("key", child.keyId())
                        .put("mode", child.mode().id());
                if (psks.containsKey(child.name())) { // its PSK (identity: its name), to this gateway's session only
                    entry.put("psk", psks.get(child.name()));
                }
                if (child.mode() == dev.vigil.provisioning.gateways.ChildMode.OSCORE) { // its requests' kid
                    registry.gateways().oscore().kidOf(child.name()).ifPresent(kid -> entry.put("kid", kid));
                }
            }
        }
        byte[] payload;
        try {
            payload = Payloads.CBOR.writeValueAsBytes(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        byte[] etag = java.util.Arrays.copyOf(sha256(payload), 8);
        exchange.setETag(etag);
        if (exchange.advanced().getRequest().getOptions().containsETag(etag)) {
            exchange.respond(ResponseCode.VALID);
            return;
        }
        exchange.respond(ResponseCode.CONTENT, payload, 60);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        List<String> path = exchange.advanced().getRequest().getOptions().getUriPath();
        Optional<DeviceIdentity> gateway = Peers.trustedDevice(exchange.advanced(), registry.devices());
        if (gateway.isEmpty() || path.size() < 3) {
            exchange.respond(gateway.isEmpty() ? ResponseCode.FORBIDDEN : ResponseCode.NOT_FOUND);
            return;
        }
        Optional<ChildLink> link = fence.link(path.get(1));
        Optional<DeviceIdentity> child = link.map(ChildLink::childKeyId).flatMap(registry.devices()::findByKeyId);
        if (fence.refusal(gateway.get(), path.get(1), link, child) != null) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        String resource = GatewayFence.proxied(path);
        if ("t".equals(resource)) {
            telemetry.store(exchange, child.get());
        } else if ("cmd".equals(resource) && path.size() == 4) {
            commands.result(exchange, child.get(), path.get(3));
        } else {
            exchange.respond(ResponseCode.NOT_FOUND);
        }
    }

    /** The proxied child's open commands that both its policy and the gateway's allow now (held otherwise). */
    private void childCommands(CoapExchange exchange, List<String> path) {
        Optional<DeviceIdentity> gateway = Peers.trustedDevice(exchange.advanced(), registry.devices());
        if (gateway.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        Optional<ChildLink> link = fence.link(path.get(1));
        Optional<DeviceIdentity> child = link.map(ChildLink::childKeyId).flatMap(registry.devices()::findByKeyId);
        if (fence.refusal(gateway.get(), path.get(1), link, child) != null) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        commands.deliver(exchange, child.get(), gateway.get());
    }
}
