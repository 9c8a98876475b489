package dev.vigil.server;

import dev.vigil.policy.ChildAuth;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.ChildLink;
import dev.vigil.provisioning.gateways.ChildMode;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.oscore.CoapOSException;
import org.eclipse.californium.oscore.OscoreOptionDecoder;

/**
 * The fence around OSCORE children. cf-oscore's layer has verified the request end to end with the context of
 * the child its kid names (a request it could not verify never gets here); this fence then asks: is the DTLS peer
 * that carried it that child's registered gateway, ACTIVE (not quarantined, suspended or decommissioned)? Is the
 * child an ACTIVE OSCORE child whose profile allows {@code childAuth} oscore? If not: 4.03 and a
 * {@code gateway-denied} event. Then the inner request is judged as the child's own, exactly as a direct device's
 * (lifecycle, profile, rate, trust tier). Only {@code POST /t} is carried so far (4.04 otherwise).
 */
final class OscoreFence {

    /** A verified OSCORE request: the child's kid and the request's sequence number. */
    record Protected(String kid, int sequence) {
        static Optional<Protected> of(Exchange exchange) {
            byte[] option = exchange.getCryptographicContextID();
            if (option == null) {
                return Optional.empty();
            }
            try {
                OscoreOptionDecoder decoder = new OscoreOptionDecoder(option);
                return decoder.getKid() == null ? Optional.empty() : Optional.of(new Protected(
                        HexFormat.of().formatHex(decoder.getKid()), decoder.getSequenceNumber()));
            } catch (CoapOSException e) {
                return Optional.empty();
            }
        }
    }

    private final Registry registry;
    private final RequestGate gate;

    OscoreFence(Registry registry, RequestGate gate) {
        this.registry = registry;
        this.gate = gate;
    }

    RequestGate.Gated gate(Exchange exchange, Optional<DeviceIdentity> gateway, long now) {
        Optional<Protected> request = Protected.of(exchange);
        if (request.isEmpty()) {
            exchange.sendResponse(new Response(ResponseCode.BAD_OPTION));
            return new RequestGate.Gated(true, "oscore");
        }
        // its sequence number is spent whatever the answer: a restart must not accept it again
        registry.gateways().oscore().accepted(request.get().kid(), request.get().sequence());
        Optional<ChildLink> link = link(request.get().kid());
        Optional<DeviceIdentity> child = child(link);
        String refusal = refusal(gateway, link, child, now);
        if (refusal != null) {
            registry.events().record("gateway-denied", gateway.map(DeviceIdentity::name).orElse("unknown key"),
                    "OSCORE kid " + request.get().kid() + ": " + refusal);
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN)); // after the event: the answer means it stands
            return new RequestGate.Gated(true, "gateway-denied");
        }
        List<String> path = exchange.getRequest().getOptions().getUriPath();
        if (path.size() != 1 || !"t".equals(path.get(0)) || exchange.getRequest().getCode() != Code.POST) {
            exchange.sendResponse(new Response(ResponseCode.NOT_FOUND)); // only telemetry is carried so far
            return new RequestGate.Gated(true, "not-found");
        }
        gate.heard(child.get(), now);
        return gate.judge(exchange, child.get(), Standing.ACTIVE, "t", now);
    }

    /** The child a verified request speaks for, if its carrier may carry it (asked again by the resource). */
    Optional<DeviceIdentity> carried(Exchange exchange, Optional<DeviceIdentity> gateway, long now) {
        return Protected.of(exchange).flatMap(request -> {
            Optional<ChildLink> link = link(request.kid());
            Optional<DeviceIdentity> child = child(link);
            return refusal(gateway, link, child, now) == null ? child : Optional.empty();
        });
    }

    /** The binding of the OSCORE child whose kid this is (read fresh, per request, like the asserted proxy's). */
    private Optional<ChildLink> link(String kid) {
        return registry.gateways().oscore().childOf(kid).flatMap(registry.gateways()::link)
                .filter(link -> link.mode() == ChildMode.OSCORE);
    }

    private Optional<DeviceIdentity> child(Optional<ChildLink> link) {
        return link.map(ChildLink::childKeyId).flatMap(registry.devices()::findByKeyId);
    }

    /** Why the peer may not carry this child's request, or null if it may (for events, never the peer). */
    private String refusal(Optional<DeviceIdentity> gateway, Optional<ChildLink> link, Optional<DeviceIdentity> child,
            long now) {
        if (gateway.isEmpty() || Standing.of(gateway, registry.policy(), now) != Standing.ACTIVE) {
            return "the carrier is " + gateway.map(g -> g.name() + " (" + g.state().name() + ")").orElse("no device");
        }
        if (link.isEmpty()) {
            return "no OSCORE child has this kid";
        }
        if (link.get().gatewayId() != gateway.get().deviceId()) {
            return "a child of another gateway (" + link.get().childName() + ")";
        }
        if (child.isEmpty() || Standing.of(child, registry.policy(), now) != Standing.ACTIVE) {
            return "child " + link.get().childName() + " is " + child.map(c -> c.state().name()).orElse(
                    "without an active key");
        }
        ChildAuth minimum = registry.policy().profile(child.get().profile()).map(DeviceProfile::minimumChildAuth)
                .orElse(ChildAuth.ASSERTED);
        if (!ChildMode.OSCORE.auth().satisfies(minimum)) {
            return "profile " + child.get().profile() + " demands childAuth " + minimum.id();
        }
        return null;
    }
}
