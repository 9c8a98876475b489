package dev.vigil.bench;

/** A CoAP message built by hand, for loads that send over a bare DTLS connector (no CoAP stack per device). */
public final class CoapPost {

    private CoapPost() {
    }

    /** CON POST /t, content-format 112 (SenML CBOR), a 4-byte token. */
    public static byte[] reading(int messageId, int token, byte[] senmlCbor) {
        byte[] message = new byte[4 + 4 + 2 + 2 + 1 + senmlCbor.length];
        message[0] = 0x44; // version 1, CON, token length 4
        message[1] = 0x02; // POST
        message[2] = (byte) (messageId >> 8);
        message[3] = (byte) messageId;
        message[4] = (byte) (token >> 24);
        message[5] = (byte) (token >> 16);
        message[6] = (byte) (token >> 8);
        message[7] = (byte) token;
        message[8] = (byte) 0xB1; // Uri-Path (11), length 1
        message[9] = 't';
        message[10] = 0x11; // Content-Format (12 = 11 + 1), length 1
        message[11] = 112;
        message[12] = (byte) 0xFF;
        System.arraycopy(senmlCbor, 0, message, 13, senmlCbor.length);
        return message;
    }
}
