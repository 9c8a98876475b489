package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.Device;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import java.security.PublicKey;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;

/**
 * {@code POST /enroll} {@code {"token": "vgt_..."}} (CBOR or JSON): binds the session's unknown key to a
 * new device. 2.01 with {@code {"name", "profile", "state"}}; a spent, expired or wrong token is a bare
 * 4.03 and a security event. Rate-limited per source address: the one place an address matters, as a
 * brake on token guessing, never as identity.
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
        try {
            Device device = registry.tokens().redeem(token, key);
            registry.events().record("device-enrolled", device.name(), "state " + device.state());
            exchange.respond(Payloads.response(ResponseCode.CREATED, request, Payloads.JSON.createObjectNode()
                    .put("name", device.name()).put("profile", device.profile()).put("state", device.state().name())));
        } catch (Refusal e) {
            registry.events().record("enrollment-refused", request.getSourceContext().getPeerAddress().toString(),
                    e.getMessage());
            exchange.respond(ResponseCode.FORBIDDEN);
        }
    }
}
