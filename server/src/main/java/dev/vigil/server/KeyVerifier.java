package dev.vigil.server;

import dev.vigil.provisioning.keys.KeyIds;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handshake check for raw public keys (RFC 7250): the endpoint's {@link Admission} decides; anything
 * refused, and any X.509 chain, fails with a fatal {@code bad_certificate} alert. Runs on every full
 * handshake (resumptions are checked by {@link KeyResumptionVerifier}).
 */
final class KeyVerifier implements NewAdvancedCertificateVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(KeyVerifier.class);
    private static final List<CertificateType> RPK_ONLY = List.of(CertificateType.RAW_PUBLIC_KEY);

    private final String endpoint;
    private final Admission admission;
    /** Told which key each admitted handshake presented (may be null). */
    private final ProofFailures proofs;
    private final LongAdder fullHandshakes = new LongAdder();

    KeyVerifier(String endpoint, Admission admission, ProofFailures proofs) {
        this.endpoint = endpoint;
        this.admission = admission;
        this.proofs = proofs;
    }

    /** Full handshakes verified (admitted or not) since start. */
    long fullHandshakes() {
        return fullHandshakes.sum();
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return RPK_ONLY;
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        fullHandshakes.increment();
        PublicKey key = message.getPublicKey();
        String refusal;
        try {
            refusal = key == null ? "no raw public key" : admission.refusal(KeyIds.of(key), key);
        } catch (RuntimeException e) {
            LOG.error("{}: admission check failed for {}", endpoint, remotePeer, e);
            refusal = "admission check failed";
        }
        if (refusal != null) {
            LOG.debug("{}: handshake refused for {}: {}", endpoint, remotePeer, refusal);
            AlertMessage alert = new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE);
            return new CertificateVerificationResult(cid, new HandshakeException(refusal, alert), null);
        }
        if (proofs != null) {
            proofs.presented(remotePeer, KeyIds.of(key));
        }
        return new CertificateVerificationResult(cid, key, null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return Collections.emptyList();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // synchronous: the registry answers from its cache
    }
}
