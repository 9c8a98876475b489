package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rotation, device side of {@code KeyRotation}:
 * <ul>
 * <li>{@code GET /key}: {@code {"keyId", "nonce", "rotationRequested"}} — a fresh nonce bound to this
 * device and the key of this session;</li>
 * <li>{@code POST /key} {@code {"key": SubjectPublicKeyInfo, "nonce", "signature"}}: the signature is by
 * the new key over {@code KeyRotation.signedBytes(nonce, keyId)}. 2.04: stored as PENDING_ROTATION; the
 * next handshake with the new key makes it ACTIVE.</li>
 * </ul>
 */
final class KeyResource extends CoapResource {

    private static final Logger LOG = LoggerFactory.getLogger(KeyResource.class);

    private final Registry registry;

    KeyResource(Registry registry) {
        super("key");
        this.registry = registry;
        getAttributes().setTitle("Key rotation");
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Request request = exchange.advanced().getRequest();
        Optional<DeviceIdentity> device = device(exchange);
        if (device.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        String keyId = Peers.keyId(exchange.advanced()).orElseThrow();
        try {
            byte[] nonce = registry.rotation().nonce(keyId);
            ObjectNode body = Payloads.JSON.createObjectNode().put("keyId", keyId)
                    .put("rotationRequested", device.get().rotationRequested());
            Payloads.putBytes(body, "nonce", nonce, request);
            exchange.respond(Payloads.response(ResponseCode.CONTENT, request, body));
        } catch (Refusal e) {
            exchange.respond(ResponseCode.FORBIDDEN);
        }
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Request request = exchange.advanced().getRequest();
        if (device(exchange).isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        if (!Payloads.readable(request.getOptions().getContentFormat())) {
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
            return;
        }
        Proposal proposal;
        try {
            proposal = Proposal.read(request);
        } catch (Payloads.BadPayload e) {
            LOG.debug("bad rotation request: {}", e.getMessage());
            exchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        String keyId = Peers.keyId(exchange.advanced()).orElseThrow();
        try {
            registry.rotation().propose(keyId, proposal.key(), proposal.nonce(), proposal.signature());
            exchange.respond(ResponseCode.CHANGED);
        } catch (Refusal e) {
            registry.events().record("rotation-refused", keyId, e.getMessage());
            exchange.respond(e.reason() == Refusal.Reason.INVALID ? ResponseCode.BAD_REQUEST : ResponseCode.FORBIDDEN);
        }
    }

    /** A {@code POST /key} body: the new key (an EC P-256 or Ed25519 SubjectPublicKeyInfo), nonce and signature. */
    record Proposal(PublicKey key, byte[] nonce, byte[] signature) {

        static Proposal read(Request request) throws Payloads.BadPayload {
            JsonNode body = Payloads.read(request);
            PublicKey key;
            try {
                key = PemFiles.decodePublicKey(Payloads.bytes(body, "key"), "key");
            } catch (IOException e) {
                throw new Payloads.BadPayload(e.getMessage());
            }
            return new Proposal(key, Payloads.bytes(body, "nonce"), Payloads.bytes(body, "signature"));
        }
    }

    /** The device of this session's key, if it is one that may rotate (ACTIVE or QUARANTINED). */
    private Optional<DeviceIdentity> device(CoapExchange exchange) {
        return Peers.keyId(exchange.advanced()).flatMap(registry.devices()::findByKeyId)
                .filter(d -> d.keyState() == dev.vigil.provisioning.keys.KeyState.ACTIVE);
    }
}
