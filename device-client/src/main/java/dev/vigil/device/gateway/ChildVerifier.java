package dev.vigil.device.gateway;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
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
 * The gateway's handshake check: a child is admitted only if its raw public key is a proxied child's in the list
 * the server last served; anything else (an unassigned key, a relay child's, an X.509 chain) fails with a fatal
 * {@code bad_certificate} alert.
 */
final class ChildVerifier implements NewAdvancedCertificateVerifier {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.gateway");

    private final Supplier<ChildList> children;

    ChildVerifier(Supplier<ChildList> children) {
        this.children = children;
    }

    static String keyId(PublicKey key) {
        return new RawPublicKeyIdentity(key).getName();
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.RAW_PUBLIC_KEY);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        PublicKey key = message.getPublicKey();
        var child = key == null ? java.util.Optional.<ChildList.Child>empty() : children.get().proxiedByKey(keyId(key));
        if (child.isEmpty()) {
            LOG.info("child session refused from {}: key {} is not an assigned proxy child", remotePeer,
                    key == null ? "(none)" : keyId(key));
            return new CertificateVerificationResult(cid, new HandshakeException("not an assigned child",
                    new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)), null);
        }
        LOG.info("child session {} from {}", child.get().name(), remotePeer);
        return new CertificateVerificationResult(cid, key, null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return Collections.emptyList();
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // synchronous: the list is in memory
    }
}
