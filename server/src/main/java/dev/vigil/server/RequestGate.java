package dev.vigil.server;

import dev.vigil.policy.Action;
import dev.vigil.policy.Decision;
import dev.vigil.policy.DenyReason;
import dev.vigil.policy.FirmwareVersion;
import dev.vigil.policy.Method;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.RequestFacts;
import dev.vigil.policy.Subject;
import dev.vigil.policy.TrustTier;
import dev.vigil.policy.trust.DeviceTrust;
import dev.vigil.provisioning.trust.TrustRegistry;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.californium.core.WebLink;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.LinkFormat;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The one request gate of the device endpoint (the PEP): every request passes here before any resource
 * sees it, and asks two questions. Where does the caller stand in the lifecycle ({@link Standing})? And
 * what does the policy in force decide for its profile ({@link PolicyEngine#decide}), at the trust tier the
 * trust engine holds the device at? Then it tells the trust engine what the device did. A denial is a bare
 * 4.03 (4.05, 4.13 or 4.15 when only the method, size or format is wrong), a rate limit 4.29 with
 * Max-Age; {@code /.well-known/core} lists only what the caller may use.
 */
final class RequestGate extends ServerMessageDeliverer {

    private final Registry registry;
    private final PolicyEngine policy;
    private final TrustRegistry trust;
    private final Clock clock;
    private final Metrics metrics;
    private final DeviceActivity activity;
    private final GatewayFence fence;
    private final OscoreFence oscore;
    private volatile Resource oscoreChildren;

    /** @param trust the trust engine's registry, or null for the benchmark's baseline (trust tier from lifecycle) */
    RequestGate(Resource root, Configuration config, Registry registry, TrustRegistry trust, Clock clock,
            Metrics metrics, DeviceActivity activity) {
        super(root, config);
        this.metrics = metrics;
        this.activity = activity;
        this.registry = registry;
        this.policy = registry.policy();
        this.trust = trust;
        this.clock = clock;
        this.fence = new GatewayFence(registry, this);
        this.oscore = new OscoreFence(registry, this);
    }

    /** Where verified OSCORE requests go once they pass ({@link OscoreChildResource}); none: they are refused. */
    void deliverOscoreTo(Resource resource) {
        this.oscoreChildren = resource;
    }

    /** A verified OSCORE request goes to the OSCORE child resource, whatever its inner Uri-Path. */
    @Override
    protected Resource findResource(Exchange exchange) throws org.eclipse.californium.core.server.DelivererException {
        if (exchange.getCryptographicContextID() != null) {
            if (oscoreChildren == null) {
                throw new org.eclipse.californium.core.server.DelivererException(ResponseCode.NOT_FOUND, "");
            }
            return oscoreChildren;
        }
        return super.findResource(exchange);
    }

    @Override
    protected boolean preDeliverRequest(Exchange exchange) {
        long start = System.nanoTime();
        List<String> path = exchange.getRequest().getOptions().getUriPath();
        Gated gated = gate(exchange, path);
        metrics.request(path.isEmpty() ? "" : path.get(0), gated.decision(), System.nanoTime() - start);
        return gated.handled();
    }

    /** What the gate did: answered the request itself ({@code handled}) or let it through, and why (a metric label). */
    record Gated(boolean handled, String decision) {
    }

    private Gated gate(Exchange exchange, List<String> path) {
        Request request = exchange.getRequest();
        Optional<String> keyId = Peers.keyId(exchange);
        if (keyId.isEmpty()) {
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN));
            return new Gated(true, "no-key");
        }
        long now = clock.millis();
        Optional<DeviceIdentity> identity = registry.devices().findByKeyId(keyId.get());
        identity.ifPresent(device -> activity.heard(device.deviceId(), now));
        Standing standing = Standing.of(identity, policy, now);
        if (exchange.getCryptographicContextID() != null) { // verified end to end by cf-oscore's layer
            return oscore.gate(exchange, identity, now);
        }
        if (path.size() == 2 && path.get(0).equals(".well-known") && path.get(1).equals("core")
                && request.getCode() == Code.GET) {
            discover(exchange, standing, identity);
            return new Gated(true, "discovery");
        }
        String resource = path.isEmpty() ? "" : path.get(0);
        if (identity.isPresent() && path.size() == 1 && "enroll".equals(resource) && request.getCode() == Code.POST) {
            return new Gated(false, "allowed"); // a device asking again for its enrollment (its 2.01 was lost)
        }
        if (!standing.reaches(resource)) {
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN));
            return new Gated(true, "standing");
        }
        if (identity.isEmpty()) {
            return new Gated(false, "enrollment"); // /enroll: the token is the credential, the address limiter the brake
        }
        if (GatewayFence.RESOURCE.equals(resource)) {
            return fence.gate(exchange, identity.get(), path, now);
        }
        return judge(exchange, identity.get(), standing, resource, now);
    }

    /**
     * Asks the policy about {@code device}'s request to {@code resource} — the caller's own, or a child's that
     * its gateway makes for it — and tells the trust engine; answers a refusal (handled), or lets the request
     * through.
     */
    Gated judge(Exchange exchange, DeviceIdentity device, Standing standing, String resource, long now) {
        Request request = exchange.getRequest();
        Target target = Target.of(resource);
        Subject subject = policy.device(device.deviceId(), device.profile());
        DeviceTrust trusted = trust == null ? null : trust.stateOf(device);
        Method method = Method.ofCode(request.getCode().value);
        Decision decision = policy.decide(subject, target.action(), target.name(), new RequestFacts(now, method,
                contentFormat(request), request.getPayloadSize(), tier(standing, trusted),
                registry.rollouts().runningVersion(device.deviceId())));
        if (trusted != null) {
            trust.engine().onRequest(trusted, now, SessionKeys.connection(request.getSourceContext()),
                    SessionKeys.address(request.getSourceContext().getPeerAddress()), resource.hashCode(), method,
                    request.getPayloadSize(), decision);
        }
        if (decision.allowed()) {
            return new Gated(false, "allowed");
        }
        Response refusal = refusal(decision);
        if (refusal.getCode() == ResponseCode.REQUEST_ENTITY_TOO_LARGE) {
            maxPayload(device.profile(), target.name()).ifPresent(refusal.getOptions()::setSize1);
        }
        registry.events().record(decision.rateLimited() ? "rate-limited" : "policy-denial", device.name(),
                request.getCode() + " /" + resource + ": " + decision);
        exchange.sendResponse(refusal); // after the event: whoever sees the refusal finds it in `vigil events`
        return new Gated(true, decision.rateLimited() ? "rate-limited"
                : decision.reason().orElse(DenyReason.RESOURCE_NOT_ALLOWED).name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The trust engine's registry, or null for the benchmark's trust-off baseline. */
    TrustRegistry trust() {
        return trust;
    }

    /** The trust engine's tier of {@code device} (TRUSTED without the trust engine). */
    TrustTier tierOf(DeviceIdentity device) {
        return trust == null ? TrustTier.TRUSTED : trust.engine().tier(trust.stateOf(device));
    }

    /** A proxied child is heard from too (through its gateway). */
    void heard(DeviceIdentity device, long now) {
        activity.heard(device.deviceId(), now);
    }

    /** The trust tier a request is decided at: the trust engine's, unless the lifecycle restricts the device more. */
    private TrustTier tier(Standing standing, DeviceTrust trusted) {
        return standing == Standing.ACTIVE && trusted != null ? trust.engine().tier(trusted) : standing.tier();
    }

    /** The largest payload the profile allows on a resource, for Size1 (refusal path only). */
    private Optional<Integer> maxPayload(String profile, String resource) {
        return policy.profile(profile).flatMap(p -> p.send().stream()
                .filter(rule -> rule.resource().equals(resource)).map(rule -> rule.maxPayload()).findFirst());
    }

    private static int contentFormat(Request request) {
        return request.getOptions().hasContentFormat() ? request.getOptions().getContentFormat()
                : RequestFacts.NO_CONTENT_FORMAT;
    }

    private static Response refusal(Decision decision) {
        if (decision.rateLimited()) {
            Response limited = new Response(ResponseCode.TOO_MANY_REQUESTS);
            limited.getOptions().setMaxAge(decision.retryAfterSeconds());
            return limited;
        }
        DenyReason reason = decision.reason().orElse(DenyReason.RESOURCE_NOT_ALLOWED);
        return new Response(switch (reason) {
            case METHOD_NOT_ALLOWED -> ResponseCode.METHOD_NOT_ALLOWED;
            case PAYLOAD_TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
            case CONTENT_FORMAT_NOT_ALLOWED -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;
            default -> ResponseCode.FORBIDDEN;
        });
    }

    /**
     * The links under {@code root} that match the query filter (RFC 6690 §4.1: {@code href} or an
     * attribute, {@code *} for a prefix) and whose first path segment {@code visible} admits.
     */
    static Set<WebLink> visibleLinks(Resource root, List<String> query, Predicate<String> visible) {
        Set<WebLink> links = new LinkedHashSet<>();
        for (WebLink link : LinkFormat.getSubTree(root, query)) {
            String resource = link.getURI().replaceFirst("^/", "").split("/")[0];
            if (!resource.equals(".well-known") && visible.test(resource)) {
                links.add(link);
            }
        }
        return links;
    }

    private void discover(Exchange exchange, Standing standing, Optional<DeviceIdentity> identity) {
        TrustTier tier = identity.filter(device -> trust != null).map(device -> tier(standing, trust.stateOf(device)))
                .orElse(standing.tier());
        if (exchange.getRequest().getOptions().hasAccept()
                && exchange.getRequest().getOptions().getAccept() != MediaTypeRegistry.APPLICATION_LINK_FORMAT) {
            exchange.sendResponse(new Response(ResponseCode.NOT_ACCEPTABLE));
            return;
        }
        Subject subject = identity.map(d -> policy.device(d.deviceId(), d.profile())).orElse(null);
        Set<WebLink> visible = visibleLinks(getRootResource(), exchange.getRequest().getOptions().getUriQuery(),
                resource -> standing.reaches(resource) && (subject == null || policy.permits(subject,
                        Target.of(resource).action(), Target.of(resource).name(), tier)));
        Response response = new Response(ResponseCode.CONTENT);
        response.setPayload(LinkFormat.serialize(visible));
        response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        exchange.sendResponse(response);
    }
}
