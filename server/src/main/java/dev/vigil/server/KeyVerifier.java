package dev.vigil.server;

import dev.vigil.provisioning.KeyIds;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
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
 * Handshake check for raw public keys (RFC 7250): a key completes the handshake only if the registry
 * trusts its key id; anything else (unknown key, X.509 chain, revoked holder) fails with a fatal
 * {@code bad_certificate} alert.
 */
final class KeyVerifier implements NewAdvancedCertificateVerifier {

    private static final Logger SECURITY = LoggerFactory.getLogger("vigil.audit");
    private static final List<CertificateType> RPK_ONLY = List.of(CertificateType.RAW_PUBLIC_KEY);

    private final String endpoint;
    private final Predicate<String> trustedKeyId;

    /**
     * @param endpoint names the endpoint in log lines
     * @param trustedKeyId whether a key id may complete a handshake now
     */
    KeyVerifier(String endpoint, Predicate<String> trustedKeyId) {
        this.endpoint = endpoint;
        this.trustedKeyId = trustedKeyId;
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return RPK_ONLY;
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        PublicKey key = message.getPublicKey();
        if (key == null) {
            return refuse(cid, remotePeer, "no raw public key");
        }
        String keyId = KeyIds.of(key);
        if (!trustedKeyId.test(keyId)) {
            return refuse(cid, remotePeer, "key not trusted: " + keyId);
        }
        return new CertificateVerificationResult(cid, key, null);
    }

    private CertificateVerificationResult refuse(ConnectionId cid, InetSocketAddress peer, String why) {
        SECURITY.info("handshake refused endpoint={} peer={} reason=\"{}\"", endpoint, peer, why);
        AlertMessage alert = new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE);
        return new CertificateVerificationResult(cid, new HandshakeException(why, alert), null);
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
