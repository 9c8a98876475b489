package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementService;
import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.operators.OperatorRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /op/{operation}} on the management endpoint: JSON arguments in, JSON result out. Refusals
 * carry one line for the operator; unexpected failures are a bare 5.00.
 */
final class ManagementResource extends CoapResource {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementResource.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ManagementService service;
    private final OperatorRegistry operators;

    ManagementResource(ManagementService service, OperatorRegistry operators) {
        super("op");
        this.service = service;
        this.operators = operators;
    }

    /** Every {@code /op/<name>} lands here; the name is read from the URI path. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Optional<Operator> caller = Peers.keyId(exchange.advanced()).flatMap(operators::findByKeyId);
        List<String> path = exchange.getRequestOptions().getUriPath();
        if (caller.isEmpty()) {
            exchange.respond(ResponseCode.FORBIDDEN);
            return;
        }
        if (path.size() != 2) {
            exchange.respond(ResponseCode.NOT_FOUND, "use /op/<operation>");
            return;
        }
        JsonNode args;
        try {
            args = arguments(exchange.getRequestPayload());
        } catch (BadArguments e) {
            exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage());
            return;
        }
        List<Runnable> afterReply = new java.util.ArrayList<>();
        try {
            JsonNode result = service.handle(caller.get(), path.get(1), args, afterReply::add);
            exchange.respond(ResponseCode.CONTENT, JSON.writeValueAsBytes(result), MediaTypeRegistry.APPLICATION_JSON);
        } catch (ManagementException e) {
            exchange.respond(code(e.reason()), e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("management operation {} failed", path.get(1), e);
            exchange.respond(ResponseCode.INTERNAL_SERVER_ERROR);
        } finally {
            afterReply.forEach(Runnable::run); // e.g. cutting the caller's own session, once its reply is queued
        }
    }

    /** The arguments of an operation: one JSON object (none at all means no arguments); anything else is 4.00. */
    static ObjectNode arguments(byte[] payload) throws BadArguments {
        if (payload.length == 0) {
            return JSON.createObjectNode();
        }
        JsonNode args;
        try {
            args = JSON.readTree(payload);
        } catch (IOException e) {
            throw new BadArguments("arguments are not valid JSON");
        }
        if (args == null || !args.isObject()) {
            throw new BadArguments("arguments must be a JSON object");
        }
        return (ObjectNode) args;
    }

    /** A request body that is not an operation's arguments; the message is one line for the operator. */
    static final class BadArguments extends Exception {
        BadArguments(String message) {
            super(message);
        }
    }

    private static ResponseCode code(ManagementException.Reason reason) {
        return switch (reason) {
            case BAD_REQUEST -> ResponseCode.BAD_REQUEST;
            case FORBIDDEN -> ResponseCode.FORBIDDEN;
            case NOT_FOUND -> ResponseCode.NOT_FOUND;
            case CONFLICT -> ResponseCode.CONFLICT;
            default -> ResponseCode.INTERNAL_SERVER_ERROR;
        };
    }
}
