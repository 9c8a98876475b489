package dev.vigil.device.oscore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.elements.util.Bytes;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCoapStackFactory;
import org.eclipse.californium.oscore.OSException;

/**
 * A child that speaks OSCORE (RFC 8613) end to end with the server, through a gateway over plain CoAP/UDP: each
 * request is protected with the child's context (its Uri-Path, payload and content-format inside), so the gateway
 * can neither read nor alter it; the server's answer comes back protected the same way and is verified here.
 */
public final class OscoreChild implements AutoCloseable {

    /** The server's verified answer (code null: no answer, or one that did not verify). */
    public record Answer(ResponseCode code, byte[] payload, Long maxAge) {
    }

    private final OscoreContextFile context;
    private final SenderSequence sequence;
    private final URI gateway;
    private final CoapEndpoint endpoint;
    private final HashMapCtxDB contexts = new HashMapCtxDB();
    private long timeoutMillis = 5_000;

    public OscoreChild(Path contextFile, URI gateway) throws IOException {
        if (!"coap".equals(gateway.getScheme())) {
            throw new IllegalArgumentException("the gateway URI must be coap://HOST:PORT, not " + gateway);
        }
        this.context = OscoreContextFile.read(contextFile);
        this.sequence = new SenderSequence(contextFile);
        this.gateway = gateway;
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setCoapStackFactory(new OSCoreCoapStackFactory()).setCustomCoapStackArgument(contexts).build();
    }

    public OscoreChild timeout(long millis) {
        this.timeoutMillis = millis;
        return this;
    }

    public String kid() {
        return context.kid();
    }

    /** POSTs SenML CBOR to {@code path} on the server, protected end to end. */
    public Answer post(String path, byte[] senmlCbor) throws IOException {
        String target = "coap://" + gateway.getHost() + ":" + gateway.getPort();
        try {
            synchronized (contexts) {
                contexts.purge();
                contexts.addContext(target, context.context(sequence.reserve()));
            }
        } catch (OSException e) {
            throw new IOException("cannot build the OSCORE context: " + e.getMessage());
        }
        Request request = Request.newPost();
        request.setURI(target + path);
        request.getOptions().setOscore(Bytes.EMPTY);
        request.setPayload(senmlCbor);
        request.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_SENML_CBOR);
        CoapClient client = new CoapClient().setEndpoint(endpoint).setTimeout(timeoutMillis);
        try {
            CoapResponse response = client.advanced(request);
            if (response == null) {
                return new Answer(null, null, null);
            }
            return new Answer(response.getCode(), response.getPayload(),
                    response.getOptions().hasMaxAge() ? response.getOptions().getMaxAge() : null);
        } catch (ConnectorException e) {
            throw new IOException("cannot reach the gateway: " + e.getMessage());
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
