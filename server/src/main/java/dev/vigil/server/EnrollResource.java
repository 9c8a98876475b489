package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.devices.Device;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;

/**
 * {@code POST /enroll} {@code {"token": "vgt_..."}} (CBOR or JSON): binds the session's unknown key to a
 * new device. 2.01 with {@code {"name", "profile", "state", "firmwareKey"}} (the last: the newest registered
 * firmware signer's SubjectPublicKeyInfo, which the device pins; absent while none is registered); a spent, expired or wrong token is a bare
 * 4.03 and a security event. A key that is a device's already gets its registration again, 2.01, with no
 * token spent (a device whose 2.01 was lost asks again). Rate-limited per source address: the one place an
 * address matters, as a brake on token guessing, never as identity.
 */
final class EnrollResource extends CoapResource {

    private final Registry registry;
    private final AddressRateLimiter limiter;

    EnrollResource(Registry registry, AddressRateLimiter limiter) {
        super("enroll");
        this.registry = registry;
        this.limiter = limiter;
        getAttributes().setTitle("Enrollment with a one-time token");
    }

    /** The token of an enrollment body: a map whose {@code "token"} is text; anything else is 4.00. */
    static String token(Request request) throws Payloads.BadPayload {
        JsonNode token = Payloads.read(request).get("token");
        if (token == null || !token.isTextual()) {
            throw new Payloads.BadPayload("missing text 'token'");
        }
        return token.textValue();
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Request request = exchange.advanced().getRequest();
        long retryAfter = limiter.acquire(request.getSourceContext().getPeerAddress().getAddress());
        if (retryAfter > 0) {
            registry.events().record("enrollment-rate-limited", request.getSourceContext().getPeerAddress().toString(),
                    "4.29, retry after " + retryAfter + " s");
            Response limited = new Response(ResponseCode.TOO_MANY_REQUESTS);
            limited.getOptions().setMaxAge(retryAfter);
            exchange.respond(limited);
            return;
        }
        if (!Payloads.readable(request.getOptions().getContentFormat())) {
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
            return;
        }
        String token;
        try {
            token = token(request);
        } catch (Payloads.BadPayload e) {
            exchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        PublicKey key = ((RawPublicKeyIdentity) request.getSourceContext().getPeerIdentity()).getKey();
        Optional<DeviceIdentity> enrolled = Peers.keyId(exchange.advanced()).flatMap(registry.devices()::findByKeyId);
        if (enrolled.isPresent()) {
            repeat(exchange, request, enrolled.get());
            return;
        }
        try {
            Device device = registry.tokens().redeem(token, key);
            registry.events().record("device-enrolled", device.name(), "state " + device.state());
            exchange.respond(Payloads.response(ResponseCode.CREATED, request, registration(request, device.name(),
                    device.profile(), device.state().name())));
        } catch (Refusal e) {
            registry.events().record("enrollment-refused", request.getSourceContext().getPeerAddress().toString(),
                    e.getMessage());
            exchange.respond(ResponseCode.FORBIDDEN);
        }
    }

    /**
     * The key is a device's already: it enrolled, and the 2.01 never reached it (the server crashed after the
     * commit, or the answer was lost). It gets the same answer again — its own name, profile and state — and no
     * token is looked at or spent; without this it could never learn its name, nor keep the server key it pins.
     */
    private void repeat(CoapExchange exchange, Request request, DeviceIdentity device) {
        if (device.keyState() != KeyState.ACTIVE || !device.mayConnect()) { // e.g. cut off a moment ago
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        exchange.respond(Payloads.response(ResponseCode.CREATED, request, registration(request, device.name(),
                device.profile(), device.state().name())));
    }

    private ObjectNode registration(Request request, String name, String profile, String state) {
        ObjectNode body = Payloads.JSON.createObjectNode().put("name", name).put("profile", profile).put("state", state);
        List<PublicKey> signers = List.copyOf(registry.firmware().keys().values());
        if (!signers.isEmpty()) {
            Payloads.putBytes(body, "firmwareKey", signers.get(signers.size() - 1).getEncoded(), request);
        }
        return body;
    }
}
