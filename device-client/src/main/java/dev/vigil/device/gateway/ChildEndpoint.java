package dev.vigil.device.gateway;

import dev.vigil.device.KeyAlgorithm;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.function.Supplier;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.config.CoapConfig.MatcherMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;

/**
 * The DTLS endpoint proxy children connect to: server only, raw public keys (client authentication NEEDED) or
 * pre-shared keys, RFC 7925 suites (CCM_8 and GCM, which libcoap also offers; ECDHE_PSK first for PSK children
 * that can afford it), the gateway's own key, {@link ChildVerifier} admitting exactly the listed proxy children's
 * keys and {@link ChildPskStore} exactly the listed PSK children's identities.
 */
final class ChildEndpoint {

    private final Configuration config;
    private final DTLSConnector connector;

    ChildEndpoint(InetSocketAddress listen, KeyPair key, Supplier<ChildList> children) {
        config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS, CoapConfig.DEFINITIONS,
                DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
        config.set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, KeyAlgorithm.of(key.getPublic()).handshakeSignatures());
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 6);
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(listen)
                .setLoggingTag("gateway-children")
                .setCertificateIdentityProvider(new SingleCertificateProvider(key.getPrivate(), key.getPublic()))
                .setAdvancedCertificateVerifier(new ChildVerifier(children))
                .setAdvancedPskStore(new ChildPskStore(children))
                .build());
    }

    Configuration config() {
        return config;
    }

    DTLSConnector connector() {
        return connector;
    }
}
