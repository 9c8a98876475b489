package dev.vigil.device.gateway;

import dev.vigil.device.DeviceClient;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.MessageDeliverer;
import org.eclipse.californium.oscore.CoapOSException;
import org.eclipse.californium.oscore.OscoreOptionDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OSCORE child link (plain CoAP over UDP): a request is accepted only if it is OSCORE-protected and
 * its kid is an OSCORE child's in the list the server last served (4.01 otherwise), passes the gateway's per-child
 * rate limit (4.29), and is then forwarded unchanged in what matters (code, OSCORE option, ciphertext) on the
 * gateway's own DTLS session. The gateway cannot read the request (its Uri-Path, content-format and readings are
 * inside the ciphertext) nor alter it undetected; the server's protected answer goes back as it came.
 */
final class OscoreForwarder implements MessageDeliverer {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.gateway");

    private final Supplier<ChildList> children;
    private final DeviceClient upstream;
    private final double rate;
    private final double burst;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong forwarded;
    private final AtomicLong refused;

    OscoreForwarder(Supplier<ChildList> children, DeviceClient upstream, double rate, double burst,
            AtomicLong forwarded, AtomicLong refused) {
        this.children = children;
        this.upstream = upstream;
        this.rate = rate;
        this.burst = burst;
        this.forwarded = forwarded;
        this.refused = refused;
    }

    @Override
    public void deliverRequest(Exchange exchange) {
        Request request = exchange.getRequest();
        Optional<ChildList.Child> child = kid(request).flatMap(children.get()::oscoreByKid);
        if (child.isEmpty()) {
            refused.incrementAndGet();
            LOG.info("OSCORE request from {} refused: kid {} is not an assigned OSCORE child",
                    request.getSourceContext().getPeerAddress(), kid(request).orElse("(none)"));
            exchange.sendResponse(new Response(ResponseCode.UNAUTHORIZED));
            return;
        }
        String name = child.get().name();
        long wait = buckets.computeIfAbsent(name, n -> new TokenBucket(rate, burst, System.nanoTime()))
                .take(System.nanoTime());
        if (wait > 0) {
            refused.incrementAndGet();
            LOG.info("child {} OSCORE: 4.29 (gateway rate limit, retry in {} s)", name, wait);
            Response limited = new Response(ResponseCode.TOO_MANY_REQUESTS);
            limited.getOptions().setMaxAge(wait);
            exchange.sendResponse(limited);
            return;
        }
        Request forward = new Request(request.getCode());
        forward.getOptions().setOscore(request.getOptions().getOscore());
        forward.setPayload(request.getPayload());
        DeviceClient.Outcome outcome = upstream.send("/", forward);
        forwarded.incrementAndGet();
        LOG.info("child {} OSCORE: {}", name, outcome);
        if (outcome.code() == null) {
            exchange.sendResponse(new Response(ResponseCode.GATEWAY_TIMEOUT));
            return;
        }
        Response response = new Response(outcome.code());
        response.setPayload(outcome.payload());
        if (outcome.options().hasOscore()) {
            response.getOptions().setOscore(outcome.options().getOscore());
        }
        if (outcome.options().hasMaxAge()) {
            response.getOptions().setMaxAge(outcome.options().getMaxAge());
        }
        exchange.sendResponse(response);
    }

    /** The hex kid of an OSCORE-protected request, if it is one. */
    static Optional<String> kid(Request request) {
        byte[] option = request.getOptions().getOscore();
        if (option == null || option.length == 0) {
            return Optional.empty();
        }
        try {
            byte[] kid = new OscoreOptionDecoder(option).getKid();
            return kid == null ? Optional.empty() : Optional.of(HexFormat.of().formatHex(kid));
        } catch (CoapOSException e) {
            return Optional.empty();
        }
    }

    @Override
    public void deliverResponse(Exchange exchange, Response response) {
        exchange.getRequest().setResponse(response);
    }
}
