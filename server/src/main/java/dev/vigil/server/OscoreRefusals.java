package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Printable;
import dev.vigil.provisioning.Registry;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;

/**
 * Turns cf-oscore's refusals into security events. Its layer answers a request it cannot verify itself, before
 * the request gate sees it: 4.01 for an unknown kid or a replayed sequence number, 4.00 when the request does not
 * decrypt (altered ciphertext or protected option), 4.02 for a malformed OSCORE option (RFC 8613 §7.4, §8.2).
 * Such answers are unprotected, a verified request's always protected: so an OSCORE request answered unprotected
 * with one of these codes is an {@code oscore-refused} event naming the carrier and cf-oscore's reason.
 */
final class OscoreRefusals extends MessageInterceptorAdapter {

    private static final int REMEMBERED = 1024;

    private final Registry registry;
    /** OSCORE requests awaiting their answer: peer address and token to the carrier's key id. */
    private final Map<String, String> pending = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });

    OscoreRefusals(Registry registry) {
        this.registry = registry;
    }

    @Override
    public void receiveRequest(Request request) {
        byte[] oscore = request.getOptions().getOscore();
        if (oscore != null && oscore.length > 0) {
            Principal peer = request.getSourceContext().getPeerIdentity();
            pending.put(request.getSourceContext().getPeerAddress() + "/" + request.getTokenString(),
                    peer instanceof RawPublicKeyIdentity ? peer.getName() : "");
        }
    }

    @Override
    public void sendResponse(Response response) {
        if (pending.isEmpty() || response.getDestinationContext() == null) {
            return; // no OSCORE request awaits its answer: skip building the key (most answers, on every node)
        }
        String carrier = pending.remove(response.getDestinationContext().getPeerAddress() + "/"
                + response.getTokenString());
        ResponseCode code = response.getCode();
        if (carrier == null || response.getOptions().hasOscore() || (code != ResponseCode.UNAUTHORIZED
                && code != ResponseCode.BAD_REQUEST && code != ResponseCode.BAD_OPTION)) {
            return;
        }
        String name = registry.devices().findByKeyId(carrier).map(DeviceIdentity::name).orElse("unknown key");
        String reason = response.getPayloadSize() == 0 ? "" : ": " + Printable.forTerminal(
                new String(response.getPayload(), 0, Math.min(64, response.getPayloadSize()), StandardCharsets.UTF_8));
        registry.events().record("oscore-refused", name, code + reason);
    }
}
