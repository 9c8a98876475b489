package dev.vigil.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.Base64;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;

/**
 * Small request/response bodies of the device resources: a CBOR map (content-format 60) or a JSON
 * object (50); byte strings in JSON are base64url. Answers come in the request's format.
 */
final class Payloads {

    static final ObjectMapper JSON = strict(new ObjectMapper());
    static final ObjectMapper CBOR = strict(new CBORMapper());

    /** A body that is not a map of the expected fields. */
    static final class BadPayload extends Exception {
        BadPayload(String message) {
            super(message);
        }
    }

    private Payloads() {
    }

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        return mapper;
    }

    /** Is this a content format the device resources read (CBOR or JSON)? */
    static boolean readable(int contentFormat) {
        return contentFormat == MediaTypeRegistry.APPLICATION_CBOR || contentFormat == MediaTypeRegistry.APPLICATION_JSON;
    }

    static JsonNode read(Request request) throws BadPayload {
        try {
            JsonNode body = mapper(request.getOptions().getContentFormat()).readTree(request.getPayload());
            if (body == null || !body.isObject()) {
                throw new BadPayload("body is not a map");
            }
            return body;
        } catch (IOException e) {
            throw new BadPayload("body is not well-formed");
        }
    }

    static byte[] bytes(JsonNode body, String field) throws BadPayload {
        JsonNode value = body.get(field);
        try {
            if (value != null && value.isBinary()) {
                return value.binaryValue();
            }
            if (value != null && value.isTextual()) {
                return Base64.getUrlDecoder().decode(value.asText());
            }
        } catch (IOException | IllegalArgumentException e) {
            // fall through
        }
        throw new BadPayload("missing byte string '" + field + "'");
    }

    /**
     * A response in the format the request asks for (RFC 7252 §5.10.4): its Accept option if it has one,
     * else its own content format, else CBOR. An Accept of anything but CBOR or JSON is 4.06.
     */
    static Response response(ResponseCode code, Request request, JsonNode body) {
        int format = answerFormat(request);
        if (format < 0) {
            return new Response(ResponseCode.NOT_ACCEPTABLE);
        }
        Response response = new Response(code);
        try {
            response.setPayload(mapper(format).writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        response.getOptions().setContentFormat(format);
        return response;
    }

    /** The format to answer in, or -1 if the request accepts none we write. */
    static int answerFormat(Request request) {
        if (request.getOptions().hasAccept()) {
            return readable(request.getOptions().getAccept()) ? request.getOptions().getAccept() : -1;
        }
        return readable(request.getOptions().getContentFormat()) ? request.getOptions().getContentFormat()
                : MediaTypeRegistry.APPLICATION_CBOR;
    }

    /** Puts bytes as a CBOR byte string, or base64url text when the answer is JSON. */
    static void putBytes(ObjectNode body, String field, byte[] value, Request request) {
        if (answerFormat(request) == MediaTypeRegistry.APPLICATION_JSON) {
            body.put(field, Base64.getUrlEncoder().withoutPadding().encodeToString(value));
        } else {
            body.put(field, value);
        }
    }

    private static ObjectMapper mapper(int contentFormat) {
        return contentFormat == MediaTypeRegistry.APPLICATION_JSON ? JSON : CBOR;
    }
}
