package dev.vigil.server;

import dev.vigil.provisioning.DeviceDirectory;
import dev.vigil.provisioning.DeviceIdentity;
import dev.vigil.provisioning.DeviceState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.LinkFormat;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.WebLink;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * The one request gate of the device endpoint (the PEP): every request passes here before any resource
 * sees it. A denial is a bare 4.03; {@code /.well-known/core} lists only what the caller may use.
 *
 * <p>What a principal may reach depends first on where it stands in the lifecycle: an unknown key only
 * {@code POST /enroll}, a pending device nothing, a quarantined one only remediation ({@code /key}),
 * an active one what its policy grants.
 */
final class RequestGate extends ServerMessageDeliverer {

    /** What a caller's standing lets it reach, before its policy is asked. */
    enum Standing {
        UNKNOWN(Set.of("enroll")),
        PENDING(Set.of()),
        RESTRICTED(Set.of("key")),
        ACTIVE(null);

        private final Set<String> only;

        Standing(Set<String> only) {
            this.only = only;
        }

        boolean reaches(String resource) {
            return only == null ? !"enroll".equals(resource) : only.contains(resource);
        }
    }

    private final DeviceDirectory directory;

    RequestGate(Resource root, org.eclipse.californium.elements.config.Configuration config,
            DeviceDirectory directory) {
        super(root, config);
        this.directory = directory;
    }

    @Override
    protected boolean preDeliverRequest(Exchange exchange) {
        Request request = exchange.getRequest();
        Optional<String> keyId = Peers.keyId(exchange);
        if (keyId.isEmpty()) {
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN));
            return true;
        }
        Standing standing = standing(directory.findByKeyId(keyId.get()));
        List<String> path = request.getOptions().getUriPath();
        if (path.size() == 2 && path.get(0).equals(".well-known") && path.get(1).equals("core")
                && request.getCode() == Code.GET) {
            discover(exchange, standing);
            return true;
        }
        String resource = path.isEmpty() ? "" : path.get(0);
        if (!standing.reaches(resource)) {
            exchange.sendResponse(new Response(ResponseCode.FORBIDDEN));
            return true;
        }
        return false;
    }

    static Standing standing(Optional<DeviceIdentity> identity) {
        if (identity.isEmpty()) {
            return Standing.UNKNOWN;
        }
        DeviceIdentity device = identity.get();
        if (device.state() == DeviceState.PENDING || device.state() == DeviceState.PROVISIONED) {
            return Standing.PENDING;
        }
        if (device.state() == DeviceState.QUARANTINED) {
            return Standing.RESTRICTED;
        }
        return device.isTrusted() ? Standing.ACTIVE : Standing.PENDING;
    }

    private void discover(Exchange exchange, Standing standing) {
        Set<WebLink> links = LinkFormat.getSubTree(getRootResource(), exchange.getRequest().getOptions().getUriQuery());
        Set<WebLink> visible = links.stream()
                .filter(link -> standing.reaches(link.getURI().replaceFirst("^/", "").split("/")[0]))
                .filter(link -> !link.getURI().startsWith("/.well-known"))
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Response response = new Response(ResponseCode.CONTENT);
        response.setPayload(LinkFormat.serialize(visible));
        response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        exchange.sendResponse(response);
    }
}
