package dev.vigil.server;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;

/**
 * Handshakes that presented an admitted key but failed to prove possession of it (the CertificateVerify
 * signature did not check out: {@code decrypt_error}) — what credential stuffing with a known public key
 * looks like. The verifier notes which key each peer presented; a handshake that then fails this way is
 * reported with that key. Timeouts and other failures are not: a lossy link is no attack.
 */
final class ProofFailures extends SessionAdapter {

    private static final int REMEMBERED = 4096;

    private final Consumer<String> failed;
    /** Peer address → the key id it presented, while its handshake runs; bounded, oldest dropped. */
    private final Map<InetSocketAddress, String> presented = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @param failed told the key id of each failed proof */
    ProofFailures(Consumer<String> failed) {
        this.failed = failed;
    }

    /** The verifier admitted {@code keyId} for the handshake from {@code peer}; it must now prove it. */
    synchronized void presented(InetSocketAddress peer, String keyId) {
        presented.put(peer, keyId);
    }

    @Override
    public void handshakeCompleted(Handshaker handshaker) {
        forget(handshaker.getPeerAddress());
    }

    @Override
    public void handshakeFailed(Handshaker handshaker, Throwable error) {
        String keyId = forget(handshaker.getPeerAddress());
        if (keyId != null && error instanceof HandshakeException handshake && handshake.getAlert() != null
                && handshake.getAlert().getDescription() == AlertDescription.DECRYPT_ERROR) {
            failed.accept(keyId);
        }
    }

    private synchronized String forget(InetSocketAddress peer) {
        return peer == null ? null : presented.remove(peer);
    }
}
