package dev.vigil.device.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.sim.LossyRelay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference gateway ({@code vigil-device gateway}). Its own session to the server ({@code upstream}) pulls the
 * child list ({@code GET /gw}, revalidated by ETag) at start and every {@code pullSeconds}. Proxy children
 * authenticate to it by their raw public keys or pre-shared keys ({@link ChildEndpoint}: only listed keys and
 * PSK identities complete the handshake);
 * a child's {@code POST /t} passes the gateway's own per-child rate limit and is forwarded as
 * {@code POST /gw/{child}/t} on the gateway's session, the server's answer relayed back; its {@code GET /cmd} and
 * {@code POST /cmd/{id}} likewise as {@code /gw/{child}/c} and {@code /gw/{child}/c/{id}}. Relay children send
 * datagrams to the relay port, forwarded unchanged to the server (one socket per child address): the gateway
 * sees only ciphertext. One log line ({@code vigil.gateway}) per child session and per request outcome.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.gateway");
    public static final String STATUS_FILE = "gateway-status.json";

    /** What the gateway is told to do. */
    public record Settings(Path state, InetSocketAddress listen, InetSocketAddress relayListen,
            InetSocketAddress server, double childRate, double childBurst, long pullSeconds,
            InetSocketAddress oscoreListen) {
        /** Without an OSCORE child port. */
        public Settings(Path state, InetSocketAddress listen, InetSocketAddress relayListen, InetSocketAddress server,
                double childRate, double childBurst, long pullSeconds) {
            this(state, listen, relayListen, server, childRate, childBurst, pullSeconds, null);
        }
    }

    private final Settings settings;
    private final DeviceClient upstream;
    private final ScheduledExecutorService puller;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile ChildList children = ChildList.EMPTY;
    private volatile String lastPull = "never";
    private volatile String lastPullOutcome = "";
    private CoapServer childServer;
    /** Relay peers (child addresses) kept at once; beyond, the least recently heard gives up its socket. */
    static final int RELAY_MAX_CHILDREN = 1024;
    private LossyRelay relay;
    private CoapServer oscoreServer;

    public Gateway(Settings settings, KeyPair key, DeviceClient upstream) throws IOException {
        this.settings = settings;
        this.upstream = upstream;
        this.puller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-gateway-pull");
            t.setDaemon(true);
            return t;
        });
        pull();
        ChildEndpoint endpoint = new ChildEndpoint(settings.listen(), key, () -> children);
        childServer = new CoapServer(endpoint.config());
        childServer.addEndpoint(new CoapEndpoint.Builder().setConnector(endpoint.connector())
                .setConfiguration(endpoint.config()).build());
        childServer.add(new Telemetry());
        childServer.add(new Commands());
        childServer.start();
        if (settings.relayListen() != null) {
            relay = new LossyRelay(settings.relayListen(), settings.server(), 0, 0, RELAY_MAX_CHILDREN);
        }
        if (settings.oscoreListen() != null) {
            oscoreServer = OscoreChildEndpoint.start(settings.oscoreListen(), new OscoreForwarder(() -> children,
                    upstream, settings.childRate(), settings.childBurst(), forwarded, refused));
        }
        writeStatus();
        puller.scheduleWithFixedDelay(this::pullQuietly, settings.pullSeconds(), settings.pullSeconds(),
                TimeUnit.SECONDS);
        LOG.info("gateway up: children on {}, relay on {}, {} children ({} proxy, {} relay)", port(),
                relay == null ? "none" : relay.port(), children.children().size(), children.count("proxy"),
                children.count("relay"));
    }

    /** The UDP port proxy children connect to (DTLS). */
    public int port() {
        return childServer.getEndpoints().get(0).getAddress().getPort();
    }

    /** The UDP port relay children send to, or -1 without one. */
    public int relayPort() {
        return relay == null ? -1 : relay.port();
    }

    /** The UDP port OSCORE children send to (plain CoAP), or -1 without one. */
    public int oscorePort() {
        return oscoreServer == null ? -1 : oscoreServer.getEndpoints().get(0).getAddress().getPort();
    }

    public ChildList children() {
        return children;
    }

    private void pullQuietly() {
        try {
            pull();
        } catch (RuntimeException e) {
            LOG.warn("child list pull failed: {}", e.toString());
        }
    }

    /** Pulls the child list once; keeps the last good one on failure. Returns the outcome in words. */
    public synchronized String pull() {
        Request get = Request.newGet();
        get.getOptions().setAccept(60);
        byte[] etag = children.etag();
        if (etag != null) {
            get.getOptions().addETag(etag);
        }
        DeviceClient.Outcome outcome = upstream.send("/gw", get);
        lastPull = Instant.now().toString();
        if (outcome.code() == ResponseCode.CONTENT) {
            try {
                byte[] tag = outcome.options().getETagCount() > 0 ? outcome.options().getETags().get(0) : null;
                children = ChildList.parse(outcome.payload(), tag);
                lastPullOutcome = "2.05 " + children.children().size() + " children";
                LOG.info("child list: {}", children.children().stream().map(c -> c.name() + "(" + c.mode() + ")")
                        .toList());
            } catch (IOException e) {
                lastPullOutcome = "unreadable list: " + e.getMessage();
            }
        } else {
            lastPullOutcome = outcome.code() == ResponseCode.VALID ? "2.03 unchanged" : outcome.toString();
            if (outcome.code() != ResponseCode.VALID) {
                LOG.warn("child list pull: {} (keeping {} children)", outcome, children.children().size());
            }
        }
        writeStatus();
        return lastPullOutcome;
    }

    private void writeStatus() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode status = json.createObjectNode();
        status.put("listen", childServer == null ? settings.listen().getPort() : port());
        status.put("relayPort", relayPort());
        status.put("lastPull", lastPull);
        status.put("lastPullOutcome", lastPullOutcome);
        status.put("forwarded", forwarded.get());
        status.put("refused", refused.get());
        var list = status.putArray("children");
        children.children().forEach(c -> list.addObject().put("name", c.name()).put("mode", c.mode()));
        try {
            Path temp = settings.state().resolve(STATUS_FILE + ".tmp");
            Files.write(temp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(status));
            Files.move(temp, settings.state().resolve(STATUS_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", STATUS_FILE, e.toString());
        }
    }

    /**
     * The listed proxy child a request comes from, by the key it proved, if it may make one more request now (the
     * gateway's own per-child rate limit); otherwise answers 4.03 or 4.29 itself and returns null.
     */
    private String admitted(CoapExchange exchange, String what) {
        Request request = exchange.advanced().getRequest();
        var peer = request.getSourceContext().getPeerIdentity();
        String keyId = peer instanceof RawPublicKeyIdentity rpk ? rpk.getName()
                : peer instanceof PreSharedKeyIdentity psk ? "psk:" + psk.getIdentity() : "";
        var child = peer instanceof PreSharedKeyIdentity psk ? children.proxiedByPsk(psk.getIdentity())
                : children.proxiedByKey(keyId);
        if (child.isEmpty()) { // removed from the list since its handshake
            refused.incrementAndGet();
            LOG.info("child {} {}: 4.03 (no longer assigned)", keyId, what);
            exchange.respond(ResponseCode.FORBIDDEN);
            return null;
        }
        String name = child.get().name();
        long wait = buckets.computeIfAbsent(name, n -> new TokenBucket(settings.childRate(), settings.childBurst(),
                System.nanoTime())).take(System.nanoTime());
        if (wait > 0) {
            refused.incrementAndGet();
            LOG.info("child {} {}: 4.29 (gateway rate limit, retry in {} s)", name, what, wait);
            Response limited = new Response(ResponseCode.TOO_MANY_REQUESTS);
            limited.getOptions().setMaxAge(wait);
            exchange.respond(limited);
            return null;
        }
        return name;
    }

    /** Sends {@code forward} to {@code path} on the gateway's own session; the server's answer goes back to the child. */
    private void forward(CoapExchange exchange, String name, String what, String path, Request forward) {
        Request request = exchange.advanced().getRequest();
        forward.setPayload(request.getPayload());
        if (request.getOptions().hasContentFormat()) {
            forward.getOptions().setContentFormat(request.getOptions().getContentFormat());
        }
        if (request.getOptions().hasAccept()) {
            forward.getOptions().setAccept(request.getOptions().getAccept());
        }
        request.getOptions().getUriQuery().forEach(forward.getOptions()::addUriQuery);
        DeviceClient.Outcome outcome = upstream.send(path, forward);
        forwarded.incrementAndGet();
        LOG.info("child {} {}: {}", name, what, outcome);
        if (outcome.code() == null) {
            exchange.respond(ResponseCode.GATEWAY_TIMEOUT);
            return;
        }
        Response response = new Response(outcome.code());
        response.setPayload(outcome.payload());
        if (outcome.options().hasContentFormat()) {
            response.getOptions().setContentFormat(outcome.options().getContentFormat());
        }
        if (outcome.options().hasMaxAge()) {
            response.getOptions().setMaxAge(outcome.options().getMaxAge());
        }
        exchange.respond(response);
    }

    /** {@code POST /t} from a proxy child: rate-limited here, then forwarded as {@code POST /gw/{child}/t}. */
    private final class Telemetry extends CoapResource {

        Telemetry() {
            super("t");
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            String name = admitted(exchange, "POST /t");
            if (name != null) {
                forward(exchange, name, "POST /t", "/gw/" + name + "/t", Request.newPost());
            }
        }
    }

    /**
     * A proxy child's commands, as a device fetches its own: {@code GET /cmd} is forwarded as
     * {@code GET /gw/{child}/c} (the commands both the child's and this gateway's policies allow now), and
     * {@code POST /cmd/{id}} (the child's result) as {@code POST /gw/{child}/c/{id}}. The gateway holds nothing:
     * a child learns that commands wait from the {@code {"commands": true}} in its reading's 2.04, and asks. No
     * Observe through the gateway.
     */
    private final class Commands extends CoapResource {

        Commands() {
            super("cmd");
        }

        @Override
        public org.eclipse.californium.core.server.resources.Resource getChild(String name) {
            return this;
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            if (exchange.getRequestOptions().getUriPath().size() != 1) {
                exchange.respond(ResponseCode.NOT_FOUND);
                return;
            }
            String name = admitted(exchange, "GET /cmd");
            if (name != null) {
                forward(exchange, name, "GET /cmd", "/gw/" + name + "/c", Request.newGet());
            }
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            java.util.List<String> path = exchange.getRequestOptions().getUriPath();
            if (path.size() != 2 || !path.get(1).matches("[0-9]{1,18}")) {
                exchange.respond(ResponseCode.NOT_FOUND);
                return;
            }
            String name = admitted(exchange, "POST /cmd");
            if (name != null) {
                forward(exchange, name, "POST /cmd/" + path.get(1), "/gw/" + name + "/c/" + path.get(1),
                        Request.newPost());
            }
        }
    }

    @Override
    public void close() throws IOException {
        puller.shutdownNow();
        if (childServer != null) {
            childServer.destroy();
        }
        if (relay != null) {
            relay.close();
        }
        if (oscoreServer != null) {
            oscoreServer.destroy();
        }
        upstream.close();
    }
}
