package dev.vigil.policy;

/** CoAP request methods (RFC 7252 §12.1.1, RFC 8132) a send rule may allow. */
public enum Method {
    GET(1), POST(2), PUT(3), DELETE(4), FETCH(5), PATCH(6), IPATCH(7);

    private static final Method[] BY_CODE = {null, GET, POST, PUT, DELETE, FETCH, PATCH, IPATCH};

    private final int code;

    Method(int code) {
        this.code = code;
    }

    /** The method code of the CoAP header (0.0x). */
    public int code() {
        return code;
    }

    /** The method with this CoAP code; throws {@link IllegalArgumentException} for any other code. */
    public static Method ofCode(int code) {
        if (code < 1 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("not a CoAP request method code: " + code);
        }
        return BY_CODE[code];
    }

    int bit() {
        return 1 << ordinal();
    }
}
