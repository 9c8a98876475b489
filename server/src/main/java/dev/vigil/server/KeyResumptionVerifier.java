package dev.vigil.server;

import java.security.Principal;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.eclipse.californium.scandium.dtls.ResumptionVerificationResult;
import org.eclipse.californium.scandium.dtls.SessionId;
import org.eclipse.californium.scandium.dtls.resumption.ConnectionStoreResumptionVerifier;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * Resumption skips the certificate verifier, so this re-checks the registry and the session's age: a
 * session whose key is no longer admitted, or that is older than its maximum lifetime, is not resumed;
 * the peer must run a full handshake and prove its key again.
 */
final class KeyResumptionVerifier extends ConnectionStoreResumptionVerifier {

    private final BiPredicate<String, Long> resumable;
    private final java.util.concurrent.atomic.LongAdder resumed = new java.util.concurrent.atomic.LongAdder();
    /** Connections whose running handshake is a resumption this verifier allowed, until established. */
    private final Set<ConnectionId> resuming = ConcurrentHashMap.newKeySet();

    /**
     * @param resumable (key id, session creation time in epoch ms) → may this session be resumed
     */
    KeyResumptionVerifier(BiPredicate<String, Long> resumable) {
        this.resumable = resumable;
    }

    @Override
    public ResumptionVerificationResult verifyResumptionRequest(ConnectionId cid, ServerNames serverName,
            SessionId sessionId) {
        ResumptionVerificationResult result = super.verifyResumptionRequest(cid, serverName, sessionId);
        DTLSSession session = result.getDTLSSession();
        if (session == null) {
            return result;
        }
        Principal peer = session.getPeerIdentity();
        if (peer == null || !resumable.test(peer.getName(), session.getCreationTime())) {
            return new ResumptionVerificationResult(cid, null, null);
        }
        resumed.increment();
        resuming.add(cid);
        return result;
    }

    /** Resumptions admitted since start (each then completes an abbreviated handshake, or times out). */
    /**
     * Whether the handshake that just established connection {@code cid} was a resumption this verifier allowed
     * (asked once per established connection: the mark is taken).
     */
    boolean resumedInto(ConnectionId cid) {
        return cid != null && resuming.remove(cid);
    }

    /** A handshake that never completed leaves no mark behind. */
    void forget(ConnectionId cid) {
        if (cid != null) {
            resuming.remove(cid);
        }
    }

    long resumed() {
        return resumed.sum();
    }
}
