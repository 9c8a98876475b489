package dev.vigil.server;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.management.ManagementException.Reason;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.cli.ManagementEndpoint;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.californium.scandium.dtls.HandshakeException;

/** The CLI's transport: {@code POST /op/<operation>} over CoAPS with the operator's key. */
public final class CoapsManagementClient implements ManagementClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MS = 15_000;

    private final ManagementEndpoint target;
    private final CoapEndpoint endpoint;

    private CoapsManagementClient(ManagementEndpoint target) {
        Configuration config = VigilConfig.defaults();
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 64 * 1024 * 1024);
        this.target = target;
        this.endpoint = DtlsEndpoints.client(config, target.operatorKey(), target.serverKey());
    }

    public static ManagementClient connect(ManagementEndpoint target) {
        return new CoapsManagementClient(target);
    }

    @Override
    public JsonNode call(String operation, ObjectNode args) throws ManagementException {
        Request request = Request.newPost();
        request.setURI(target.server().resolve("/op/" + operation));
        request.setPayload(args.toString());
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        CountDownLatch contact = new CountDownLatch(1);
        request.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onContextEstablished(EndpointContext context) {
                contact.countDown(); // the DTLS session stands: the server is there, however long it now takes
            }

            @Override
            public void onResponse(Response response) {
                contact.countDown();
            }

            @Override
            public void onSendError(Throwable error) {
                contact.countDown(); // e.g. the handshake refused: an answer too
            }
        });
        Response response;
        try {
            if (!endpoint.isStarted()) {
                endpoint.start();
            }
            endpoint.sendRequest(request);
            if (!contact.await(target.contactTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    && request.getSendError() == null) {
                request.cancel();
                throw new ManagementException(Reason.UNREACHABLE, "cannot reach " + target.server() + ": no answer in "
                        + target.contactTimeout().toSeconds() + " s (is the server running? --timeout waits longer)");
            }
            response = request.getSendError() != null ? null : request.waitForResponse(TIMEOUT_MS);
        } catch (IOException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagementException(Reason.UNREACHABLE, "interrupted while waiting for " + target.server());
        }
        if (response == null) {
            request.cancel();
            throw failure(request.getSendError());
        }
        if (!response.isSuccess()) {
            throw refused(response);
        }
        try {
            return JSON.readTree(response.getPayload());
        } catch (IOException e) {
            throw new ManagementException(Reason.FAILED, "the server's answer is not JSON");
        }
    }

    private ManagementException failure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HandshakeException) {
                return new ManagementException(Reason.FORBIDDEN, "the DTLS handshake with " + target.server()
                        + " failed (" + t.getMessage() + "): is this an operator key, and the right server key?");
            }
        }
        return new ManagementException(Reason.UNREACHABLE, "cannot reach " + target.server()
                + (error == null ? " (no answer in " + TIMEOUT_MS / 1000 + " s)" : ": " + error.getMessage()));
    }

    private static ManagementException refused(Response response) {
        ResponseCode code = response.getCode();
        String text = response.getPayloadString();
        String message = text == null || text.isBlank() ? "refused (" + code.text + " " + code + ")" : text;
        Reason reason = switch (code) {
            case BAD_REQUEST -> Reason.BAD_REQUEST;
            case FORBIDDEN, UNAUTHORIZED -> Reason.FORBIDDEN;
            case NOT_FOUND -> Reason.NOT_FOUND;
            case CONFLICT -> Reason.CONFLICT;
            default -> Reason.FAILED;
        };
        return new ManagementException(reason, message);
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
