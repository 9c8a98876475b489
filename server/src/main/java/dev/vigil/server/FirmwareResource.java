package dev.vigil.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.firmware.PublishedFirmware;
import dev.vigil.provisioning.firmware.Rollouts;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The firmware service (only for devices whose profile grants {@code firmware}; the gate sees to that):
 * <ul>
 * <li>{@code GET /fw}: the signed manifest (COSE_Sign1, content-format 18) of the image the caller is
 * offered, or 4.04;</li>
 * <li>{@code GET /fw/image}: that image, block-wise (RFC 7959) — a device that lost its link asks again
 * from the block it lacks;</li>
 * <li>{@code POST /fw/status} {@code {"state", "result", "version", "digest"}}: LwM2M object 5's state
 * ({@code idle}, {@code downloading}, {@code downloaded}, {@code updating}) and update result (1 success,
 * 2-9 failure), with the version and (if it knows it) SHA-256 the device now runs. What it reports is the firmware the gate
 * holds {@code minFirmware} against; a version or digest that is not its offered, published image is a
 * trust signal.</li>
 * </ul>
 */
final class FirmwareResource extends CoapResource {

    private static final Set<String> STATES = Set.of("idle", "downloading", "downloaded", "updating");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int CACHED_IMAGES = 4;

    private final Registry registry;
    private final Clock clock;
    /** The last few images served, by firmware id: a block-wise download reads its image once, not per block. */
    private final Map<Long, byte[]> images = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CACHED_IMAGES;
        }
    };

    FirmwareResource(Registry registry, Clock clock) {
        super("fw");
        this.registry = registry;
        this.clock = clock;
        getAttributes().setTitle("Firmware manifest offered to this device");
        add(new Image());
        add(new Status());
    }

    private Optional<DeviceIdentity> device(CoapExchange exchange) {
        return Peers.keyId(exchange.advanced()).flatMap(registry.devices()::findByKeyId);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<PublishedFirmware> offered = device(exchange).flatMap(d -> registry.rollouts().offered(d.deviceId()));
        if (offered.isEmpty()) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        exchange.respond(ResponseCode.CONTENT, registry.firmware().manifest(offered.get().id()),
                MediaTypeRegistry.APPLICATION_COSE_SIGN1);
    }

    private final class Image extends CoapResource {
        Image() {
            super("image");
            getAttributes().setTitle("The offered firmware image (block-wise)");
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            Optional<PublishedFirmware> offered = device(exchange).flatMap(d -> registry.rollouts().offered(d.deviceId()));
            if (offered.isEmpty()) {
                exchange.respond(ResponseCode.NOT_FOUND);
                return;
            }
            byte[] image;
            synchronized (images) {
                image = images.computeIfAbsent(offered.get().id(), registry.firmware()::image);
            }
            exchange.respond(ResponseCode.CONTENT, image, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
        }
    }

    private final class Status extends CoapResource {
        Status() {
            super("status");
            getAttributes().setTitle("Firmware update state and result, running version and digest");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            Optional<DeviceIdentity> device = device(exchange);
            Request request = exchange.advanced().getRequest();
            if (device.isEmpty()) {
                exchange.respond(ResponseCode.FORBIDDEN);
                return;
            }
            if (!Payloads.readable(request.getOptions().getContentFormat())) {
                exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
                return;
            }
            JsonNode body;
            try {
                body = Payloads.read(request);
            } catch (Payloads.BadPayload e) {
                exchange.respond(ResponseCode.BAD_REQUEST);
                return;
            }
            String state = body.path("state").asText("");
            int result = body.path("result").canConvertToInt() ? body.path("result").asInt() : -1;
            String version = body.path("version").asText("");
            String digest = body.hasNonNull("digest") ? body.path("digest").asText("") : null; // unknown: absent
            if (!STATES.contains(state) || result < 0 || result > 9 || version.isEmpty() || version.length() > 64
                    || (digest != null && !DIGEST.matcher(digest).matches())) {
                exchange.respond(ResponseCode.BAD_REQUEST);
                return;
            }
            Rollouts.Report report = registry.rollouts().report(device.get().deviceId(), device.get().name(), state,
                    result, version, digest == null ? null : digest.toLowerCase(java.util.Locale.ROOT));
            registry.trust().engine().onFirmware(registry.trust().stateOf(device.get()), clock.millis(),
                    !report.suspicious());
            if (report.suspicious()) {
                registry.events().record("firmware-unexpected", device.get().name(), "runs " + version + " sha256="
                        + digest + ", not the published image of that version or not the one it was offered");
            }
            exchange.respond(new Response(ResponseCode.CHANGED));
        }
    }
}
