package dev.vigil.server;

import dev.vigil.policy.ChildAuth;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.TrustTier;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.ChildLink;
import dev.vigil.provisioning.gateways.ChildMode;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;

/**
 * The fence around asserted proxying ({@code POST /gw/{child}/t}, {@code GET /gw/{child}/c},
 * {@code POST /gw/{child}/c/{id}}): an ACTIVE gateway speaks only for its own
 * registered children in proxy mode; never for another gateway's child, itself, an unregistered name, a relay
 * child, or a child whose profile demands stronger authentication (4.03 and a {@code gateway-denied} event). A
 * request that passes the fence is then judged as the child's own: its lifecycle state, its profile (resource,
 * format, size, rate), its trust tier. Every such request rides the gateway's live session, so cutting that
 * session (suspend, decommission) or restricting the gateway (quarantine, by an operator or by the trust engine)
 * stops all its children at once. What it says for its children together is watched too ({@link GatewayAggregate}).
 */
final class GatewayFence {

    static final String RESOURCE = "gw";

    private final Registry registry;
    private final RequestGate gate;
    private final GatewayAggregate aggregate;

    GatewayFence(Registry registry, RequestGate gate) {
        this.registry = registry;
        this.gate = gate;
        this.aggregate = gate == null ? null : new GatewayAggregate(registry, gate.trust());
    }

    /** Answers a refusal (handled), or lets the request through to the gateway resource. */
    RequestGate.Gated gate(Exchange exchange, DeviceIdentity gateway, List<String> path, long now) {
        if (path.size() == 1) { // GET /gw: the caller's own child list; the resource answers 4.03 to a non-gateway
            return new RequestGate.Gated(false, exchange.getRequest().getCode() == org.eclipse.californium.core.coap
                    .CoAP.Code.GET ? "child-list" : "method");
        }
        String name = path.size() > 1 ? path.get(1) : "";
        Optional<ChildLink> link = link(name);
        Optional<DeviceIdentity> child = link.map(ChildLink::childKeyId).flatMap(registry.devices()::findByKeyId);
        String refusal = refusal(gateway, name, link, child);
        if (refusal == null && gate.tierOf(gateway) == TrustTier.QUARANTINED) {
            refusal = "the gateway is QUARANTINED by the trust engine";
        }
        if (refusal != null) {
            registry.events().record("gateway-denied", gateway.name(), exchange.getRequest().getCode() + " /gw/"
                    + dev.vigil.provisioning.Printable.forTerminal(name.length() > 64 ? name.substring(0, 64) + "..."
                    : name) + ": " + refusal);
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN)); // after the event: the answer means it stands
            return new RequestGate.Gated(true, "gateway-denied");
        }
        String resource = proxied(path);
        if (resource == null) {
            exchange.sendResponse(new Response(ResponseCode.NOT_FOUND)); // telemetry and commands are proxied so far
            return new RequestGate.Gated(true, "not-found");
        }
        if (resource.equals("t")) {
            aggregate.spend(gateway, now); // the child's own limits decide this request; excess is the gateway's signal
        }
        Standing standing = Standing.of(child, registry.policy(), now);
        if (standing != Standing.ACTIVE) {
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN));
            return new RequestGate.Gated(true, "standing");
        }
        gate.heard(child.get(), now);
        return gate.judge(exchange, child.get(), standing, resource, now);
    }

    /**
     * The child's resource a path below {@code /gw/{child}} stands for: {@code t} (its telemetry), {@code cmd} for
     * {@code c} (its commands) and {@code c/{id}} (a result); null for anything else.
     */
    static String proxied(List<String> path) {
        if (path.size() == 3 && path.get(2).equals("t")) {
            return "t";
        }
        if ((path.size() == 3 || path.size() == 4) && path.get(2).equals("c")) {
            return "cmd";
        }
        return null;
    }

    /** The binding of a child name, if it is a valid name bound to any gateway. */
    Optional<ChildLink> link(String name) {
        try {
            Names.require("child", name);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return registry.gateways().link(name);
    }

    /** Why {@code gateway} may not speak for {@code name}, or null if it may (for events, never the peer). */
    String refusal(DeviceIdentity gateway, String name, Optional<ChildLink> link, Optional<DeviceIdentity> child) {
        if (name.equals(gateway.name())) {
            return "a gateway cannot speak for itself";
        }
        if (link.isEmpty()) {
            return "not a registered child of any gateway";
        }
        if (link.get().gatewayId() != gateway.deviceId()) {
            return "a child of another gateway";
        }
        if (link.get().mode() != ChildMode.PROXY) {
            return "a " + link.get().mode().id() + " child: it speaks for itself";
        }
        if (child.isEmpty() || !child.get().isTrusted()) {
            return "child is " + child.map(c -> c.state().name()).orElse("without an active key");
        }
        ChildAuth minimum = registry.policy().profile(child.get().profile()).map(DeviceProfile::minimumChildAuth)
                .orElse(ChildAuth.ASSERTED);
        if (!ChildMode.PROXY.auth().satisfies(minimum)) {
            return "profile " + child.get().profile() + " demands childAuth " + minimum.id();
        }
        return null;
    }
}
