package dev.vigil.bench.handshake;

import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.scandium.dtls.CertificateIdentityResult;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.CertificateConfigurationHelper;
import org.eclipse.californium.scandium.dtls.x509.CertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.ConfigurationHelperSetup;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * A client identity that is another registered device key on every handshake, so that a handful of
 * client connectors looks to the server like many devices (each handshake: a key the server has not
 * just seen).
 */
public final class RotatingKeys implements CertificateProvider, ConfigurationHelperSetup {

    private final List<KeyPair> keys;
    private final AtomicInteger next;

    public RotatingKeys(List<KeyPair> keys, int start) {
        this.keys = keys;
        this.next = new AtomicInteger(start);
    }

    @Override
    public List<CertificateKeyAlgorithm> getSupportedCertificateKeyAlgorithms() {
        return List.of(CertificateKeyAlgorithm.EC);
    }

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.RAW_PUBLIC_KEY);
    }

    @Override
    public CertificateIdentityResult requestCertificateIdentity(ConnectionId cid, boolean client,
            List<X500Principal> issuers, ServerNames serverNames, List<CertificateKeyAlgorithm> algorithms,
            List<SignatureAndHashAlgorithm> signatures, List<SupportedGroup> curves) {
        KeyPair key = keys.get(Math.floorMod(next.getAndIncrement(), keys.size()));
        return new CertificateIdentityResult(cid, key.getPrivate(), key.getPublic());
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // synchronous
    }

    @Override
    public void setupConfigurationHelper(CertificateConfigurationHelper helper) {
        helper.addConfigurationDefaultsFor(keys.get(0).getPublic());
    }
}
