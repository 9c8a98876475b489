package dev.vigil.server;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.function.BiPredicate;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.SignatureAndHashAlgorithm;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/** Builds the DTLS 1.2 endpoints: raw public keys only, on both ends. */
final class DtlsEndpoints {

    private DtlsEndpoints() {
    }

    /**
     * A server endpoint where only keys {@code admission} admits complete a handshake (EC P-256 or Ed25519 raw
     * public keys), and only sessions {@code resumable} accepts (key id, creation time) are resumed. Client
     * authentication is NEEDED whatever the configuration says. {@code connections} (may be null) hears of
     * connections established and removed, {@code proofs} (may be null) of handshakes that presented a key but
     * could not prove it.
     */
    static DtlsServerEndpoint server(Configuration base, String tag, InetSocketAddress bind, KeyPair own,
            Admission admission, BiPredicate<String, Long> resumable, ConnectionListener connections,
            ProofFailures proofs) {
        return server(base, tag, bind, own, admission, resumable, connections, proofs, null, null);
    }

    /**
     * As above; with {@code oscore} (may be null) the endpoint also verifies OSCORE-protected requests (RFC 8613);
     * with {@code cluster} (may be null) it is a node of a DTLS cluster: Scandium's cluster connector, this node's
     * id in the first byte of every Connection ID, records of other nodes' sessions forwarded to them over the
     * internal cluster port, whose links authenticate with the cluster key and MAC each forwarded record's header
     * (its source address).
     */
    static DtlsServerEndpoint server(Configuration base, String tag, InetSocketAddress bind, KeyPair own,
            Admission admission, BiPredicate<String, Long> resumable, ConnectionListener connections,
            ProofFailures proofs, org.eclipse.californium.oscore.OSCoreCtxDB oscore, ClusterSettings cluster) {
        Configuration config = new Configuration(base);
        if (cluster != null) {
            ClusterConnectors.configure(config, cluster);
        }
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.SERVER_ONLY);
        config.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        // peers' signatures: ECDSA with SHA-256 (the node's own P-256 key signs with it too) and Ed25519, which
        // Scandium 3.14 accepts only when listed. Always both: a key of an algorithm the node does not allow must
        // still be presented, so that the admission refuses it with a security event naming the device (a client
        // whose key has no listed signature sends no key at all, and fails unnamed).
        config.setAsList(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, SignatureAndHashAlgorithm.SHA256_WITH_ECDSA,
                SignatureAndHashAlgorithm.INTRINSIC_WITH_ED25519);
        KeyVerifier verifier = new KeyVerifier(tag, admission, proofs);
        KeyResumptionVerifier resumptions = new KeyResumptionVerifier(resumable);
        DtlsConnectorConfig.Builder builder = DtlsConnectorConfig.builder(config)
                .setAddress(bind)
                .setLoggingTag(tag)
                .setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivate(), own.getPublic()))
                .setAdvancedCertificateVerifier(verifier)
                .setResumptionVerifier(resumptions);
        if (connections != null) {
            builder.setConnectionListener(connections);
        }
        if (proofs != null) {
            builder.setSessionListener(proofs);
        }
        DtlsConnectorConfig dtls = builder.build();
        DTLSConnector connector = cluster == null ? new DTLSConnector(dtls) : ClusterConnectors.create(dtls, cluster);
        CoapEndpoint.Builder endpointBuilder = new CoapEndpoint.Builder().setConnector(connector)
                .setConfiguration(config).setLoggingTag(tag);
        if (oscore != null) {
            endpointBuilder.setCoapStackFactory(new org.eclipse.californium.oscore.OSCoreCoapStackFactory())
                    .setCustomCoapStackArgument(oscore);
        }
        CoapEndpoint endpoint = endpointBuilder.build();
        return new DtlsServerEndpoint(endpoint, connector, verifier, resumptions, dtls.getConnectionIdGenerator());
    }

    /** A client endpoint proving {@code own} and accepting only a server holding {@code serverKey}. */
    static CoapEndpoint client(Configuration base, KeyPair own, PublicKey serverKey) {
        Configuration config = new Configuration(base);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivate(), own.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        return new CoapEndpoint.Builder().setConnector(new DTLSConnector(dtls)).setConfiguration(config).build();
    }
}
