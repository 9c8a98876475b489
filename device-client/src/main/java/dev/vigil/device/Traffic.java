package dev.vigil.device;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one {@link DeviceClient} put on the air and took off it: UDP payload bytes and datagrams each way (the
 * DTLS records, handshakes included) and the handshakes it completed, full or resumed. Counted at the socket,
 * so it is what the radio carries above UDP.
 */
public final class Traffic {

    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong datagramsSent = new AtomicLong();
    private final AtomicLong datagramsReceived = new AtomicLong();
    private final AtomicLong fullHandshakes = new AtomicLong();
    private final AtomicLong resumedHandshakes = new AtomicLong();

    void sent(int bytes) {
        bytesSent.addAndGet(bytes);
        datagramsSent.incrementAndGet();
    }

    void received(int bytes) {
        bytesReceived.addAndGet(bytes);
        datagramsReceived.incrementAndGet();
    }

    void handshake(boolean full) {
        (full ? fullHandshakes : resumedHandshakes).incrementAndGet();
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    public long bytesReceived() {
        return bytesReceived.get();
    }

    public long datagramsSent() {
        return datagramsSent.get();
    }

    public long datagramsReceived() {
        return datagramsReceived.get();
    }

    public long fullHandshakes() {
        return fullHandshakes.get();
    }

    public long resumedHandshakes() {
        return resumedHandshakes.get();
    }
}
