package dev.vigil.server;

import java.security.Principal;
import java.util.function.Predicate;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.eclipse.californium.scandium.dtls.ResumptionVerificationResult;
import org.eclipse.californium.scandium.dtls.SessionId;
import org.eclipse.californium.scandium.dtls.resumption.ConnectionStoreResumptionVerifier;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * Resumption skips the certificate verifier, so this re-checks the registry: a session whose key is
 * no longer trusted is not resumed, and the peer must run a full handshake (which the
 * {@link KeyVerifier} then refuses).
 */
final class KeyResumptionVerifier extends ConnectionStoreResumptionVerifier {

    private final Predicate<String> trustedKeyId;

    KeyResumptionVerifier(Predicate<String> trustedKeyId) {
        this.trustedKeyId = trustedKeyId;
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
        if (peer == null || !trustedKeyId.test(peer.getName())) {
            return new ResumptionVerificationResult(cid, null, null);
        }
        return result;
    }
}
