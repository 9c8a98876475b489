package dev.vigil.bench.storm;

import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.scandium.dtls.CertificateIdentityResult;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite.CertificateKeyAlgorithm;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;
import org.eclipse.californium.scandium.dtls.x509.CertificateProvider;
import org.eclipse.californium.scandium.util.ServerName;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * The raw public keys of the devices sharing one client connector: each handshake presents the key of the device
 * whose server name it indicates (the client side of Scandium hands the provider the handshake's server names).
 */
final class LaneKeys implements CertificateProvider {

    private final Map<String, KeyPair> byServerName = new ConcurrentHashMap<>();

    void add(String serverName, KeyPair key) {
        byServerName.put(serverName, key);
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
            List<X500Principal> issuers, ServerNames serverNames, List<CertificateKeyAlgorithm> certificateKeyAlgorithms,
            List<SignatureAndHashAlgorithm> signatureAndHashAlgorithms, List<SupportedGroup> curves) {
        ServerName name = serverNames == null ? null : serverNames.getServerName(ServerName.NameType.HOST_NAME);
        KeyPair key = name == null ? null : byServerName.get(name.getNameAsString());
        if (key == null) {
            return new CertificateIdentityResult(cid); // no key for that lane: the handshake fails
        }
        return new CertificateIdentityResult(cid, key.getPrivate(), key.getPublic());
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers at once
    }
}
