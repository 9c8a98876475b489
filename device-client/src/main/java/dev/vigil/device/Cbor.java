package dev.vigil.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.californium.core.coap.Request;

/** CBOR maps (content-format 60) for the small control exchanges: enrollment, key rotation, commands, firmware. */
public final class Cbor {

    public static final int CONTENT_FORMAT = 60;
    public static final CBORMapper MAPPER = new CBORMapper();

    private Cbor() {
    }

    public static ObjectNode map() {
        return MAPPER.createObjectNode();
    }

    public static Request post(ObjectNode body) {
        Request request = Request.newPost();
        try {
            request.setPayload(MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        request.getOptions().setContentFormat(CONTENT_FORMAT);
        return request;
    }

    public static Request get() {
        Request request = Request.newGet();
        request.getOptions().setAccept(CONTENT_FORMAT);
        return request;
    }

    public static JsonNode read(byte[] payload) throws IOException {
        JsonNode node = MAPPER.readTree(payload);
        if (node == null || !node.isObject()) {
            throw new IOException("the server's answer is not a CBOR map");
        }
        return node;
    }
}
