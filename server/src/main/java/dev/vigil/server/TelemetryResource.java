package dev.vigil.server;

import dev.vigil.provisioning.devices.DeviceDirectory;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.telemetry.Pack;
import dev.vigil.provisioning.telemetry.Reading;
import dev.vigil.provisioning.telemetry.TelemetryStore;
import dev.vigil.provisioning.commands.CommandQueue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /t}: a device's SenML readings, stored with its name and the receive time. The 2.04 is
 * sent only after the batch is committed (with group commit, {@link GroupedIngest}, after the commit of the group
 * it joined); it carries CBOR {@code {"rotate": true}} when an operator has
 * asked the device to rotate its key, and {@code {"commands": true}} when commands wait for it at
 * {@code /cmd} (for devices that sleep rather than observe). A pack posted as {@code /t?s=N} has numbered
 * readings (N, N+1, ... for the records that carry a value): those at or below the device's highest stored
 * number are replays and dropped, and the 2.04 then says {@code {"seq": highest}}. A gateway posts its proxied
 * children's packs through {@link GatewayResource}, which stores them here as the child's.
 */
final class TelemetryResource extends CoapResource {

    private static final Logger LOG = LoggerFactory.getLogger(TelemetryResource.class);

    private final DeviceDirectory directory;
    private final TelemetryStore store;
    private final CommandQueue commands;
    private final int maxPayload;
    /** Group commit, or null: one transaction per pack, answered on the request's thread (the old path). */
    private final GroupedIngest ingest;

    TelemetryResource(DeviceDirectory directory, TelemetryStore store, CommandQueue commands, int maxPayload,
            GroupedIngest ingest) {
        super("t");
        this.directory = directory;
        this.store = store;
        this.commands = commands;
        this.maxPayload = maxPayload;
        this.ingest = ingest;
        getAttributes().setTitle("Telemetry (SenML)");
        getAttributes().addContentType(SenmlDecoder.SENML_JSON);
        getAttributes().addContentType(SenmlDecoder.SENML_CBOR);
    }

    @Override
    public void handlePOST(CoapExchange coapExchange) {
        Exchange exchange = coapExchange.advanced();
        Request request = exchange.getRequest();
        Optional<DeviceIdentity> device = Peers.trustedDevice(exchange, directory);
        if (device.isEmpty()) {
            coapExchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        store(coapExchange, device.get());
    }

    /**
     * Checks and stores a pack of {@code device}'s readings and answers the exchange: the device is the
     * request's sender, or a child whose gateway sent it ({@code POST /gw/{child}/t}).
     */
    void store(CoapExchange coapExchange, DeviceIdentity device) {
        Request request = coapExchange.advanced().getRequest();
        int format = request.getOptions().getContentFormat();
        if (format != SenmlDecoder.SENML_JSON && format != SenmlDecoder.SENML_CBOR) {
            coapExchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
            return;
        }
        if (request.getPayloadSize() > maxPayload) {
            Response tooLarge = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            tooLarge.getOptions().setSize1(maxPayload);
            coapExchange.respond(tooLarge);
            return;
        }
        Long firstSeq;
        try {
            firstSeq = sequence(request);
        } catch (IllegalArgumentException e) {
            LOG.debug("bad query from {}: {}", device.name(), e.getMessage());
            coapExchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        Instant now = Instant.now();
        List<Reading> readings;
        try {
            readings = SenmlDecoder.decode(format, request.getPayload(), now.toEpochMilli() / 1000.0);
        } catch (SenmlException e) {
            LOG.debug("bad SenML from {}: {}", device.name(), e.getMessage());
            coapExchange.respond(ResponseCode.BAD_REQUEST);
            return;
        }
        if (ingest != null) {
            ingest.submit(coapExchange, new Pack(device.deviceId(), now, readings, firstSeq),
                    stored -> answer(coapExchange, device, stored),
                    e -> {
                        LOG.error("could not store telemetry of {}", device.name(), e);
                        coapExchange.respond(ResponseCode.INTERNAL_SERVER_ERROR);
                    });
            return;
        }
        TelemetryStore.Stored stored = null;
        try {
            if (firstSeq == null) {
                store.append(device.deviceId(), now, readings);
            } else {
                stored = store.append(device.deviceId(), now, readings, firstSeq);
            }
        } catch (RuntimeException e) {
            LOG.error("could not store telemetry of {}", device.name(), e);
            coapExchange.respond(ResponseCode.INTERNAL_SERVER_ERROR);
            return;
        }
        answer(coapExchange, device, stored);
    }

    /** The 2.04 for a committed pack (from the writer thread when grouped); {@code stored} null: unnumbered. */
    private void answer(CoapExchange coapExchange, DeviceIdentity device, TelemetryStore.Stored stored) {
        // a sleepy device learns on its next exchange that it should rotate its key or fetch /cmd; and, when it
        // repeated readings already stored, the highest number stored (a device restored from an old backup
        // numbers on from there instead of having every new reading dropped)
        boolean rotate = device.rotationRequested();
        boolean waiting = commands.waiting(device.deviceId());
        boolean replayed = stored != null && stored.replayed() > 0;
        if (rotate || waiting || replayed) {
            var flags = Payloads.CBOR.createObjectNode();
            if (rotate) {
                flags.put("rotate", true);
            }
            if (waiting) {
                flags.put("commands", true);
            }
            if (replayed) {
                flags.put("seq", stored.lastSeq());
            }
            Response changed = new Response(ResponseCode.CHANGED);
            try {
                changed.setPayload(Payloads.CBOR.writeValueAsBytes(flags));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            changed.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_CBOR);
            coapExchange.respond(changed);
            return;
        }
        coapExchange.respond(ResponseCode.CHANGED);
    }

    /** The first reading's number from {@code ?s=N} (0 to 2^53), or null for an unnumbered pack; any other query is bad. */
    static Long sequence(Request request) {
        List<String> queries = request.getOptions().getUriQuery();
        if (queries.isEmpty()) {
            return null;
        }
        if (queries.size() > 1 || !queries.get(0).startsWith("s=")) {
            throw new IllegalArgumentException("the only query /t takes is s=N");
        }
        String digits = queries.get(0).substring(2);
        if (digits.isEmpty() || digits.length() > 16 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new IllegalArgumentException("s is not a sequence number");
        }
        long seq = Long.parseLong(digits);
        if (seq > (1L << 53)) {
            throw new IllegalArgumentException("s is above 2^53");
        }
        return seq;
    }
}
