package dev.vigil.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.function.Consumer;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.config.CoapConfig.MatcherMode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.interceptors.MessageInterceptor;
import org.eclipse.californium.elements.DtlsEndpointContext;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * A plain Eclipse Californium client — {@link CoapClient} over a Scandium {@link DTLSConnector} built
 * here, not Vigil's device client: RPK only, the server key pinned, both RFC 7925 suites offered unless a
 * test narrows them.
 */
final class CaliforniumPeer implements AutoCloseable {

    static final long TIMEOUT_MS = 5_000;

    /** What became of one request: the response, or the error that stopped it (e.g. a handshake alert). */
    record Reply(Request request, Response response, Throwable error) {

        ResponseCode code() {
            return response == null ? null : response.getCode();
        }

        String text() {
            return response == null ? null : response.getPayloadString();
        }

        /** The alert of a failed DTLS handshake, if that is what stopped the request. */
        AlertDescription alert() {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof HandshakeException handshake) {
                    return handshake.getAlert().getDescription();
                }
            }
            return null;
        }

        /** The cipher suite of the DTLS session the response came over. */
        String cipherSuite() {
            return response == null ? null : response.getSourceContext().get(DtlsEndpointContext.KEY_CIPHER);
        }

        @Override
        public String toString() {
            return response != null ? response.toString() : "no response: " + error;
        }
    }

    private final URI server;
    private final CoapEndpoint endpoint;

    CaliforniumPeer(URI server, KeyPair own, PublicKey serverKey) {
        this(server, own, serverKey, config -> { });
    }

    /** @param settings may change the client configuration (cipher suites, block sizes) before the connector is built */
    CaliforniumPeer(URI server, KeyPair own, PublicKey serverKey, Consumer<Configuration> settings) {
        this.server = server;
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        // after a re-handshake the principal, not the DTLS epoch, matches responses (CALIFORNIUM-NOTES)
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        settings.accept(config);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(own.getPrivate(), own.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        endpoint = new CoapEndpoint.Builder().setConnector(new DTLSConnector(dtls)).setConfiguration(config).build();
    }

    /** Sees every message the client sends and receives (e.g. to count Block1/Block2 exchanges). */
    CaliforniumPeer intercept(MessageInterceptor interceptor) {
        endpoint.addInterceptor(interceptor);
        return this;
    }

    /** Sends {@code request} to {@code pathAndQuery} (e.g. "/.well-known/core?ct=110") and waits for the outcome. */
    Reply send(String pathAndQuery, Request request) {
        URI uri = server.resolve(pathAndQuery);
        CoapClient client = new CoapClient(uri);
        client.setEndpoint(endpoint);
        client.setTimeout(TIMEOUT_MS);
        request.setURI(uri);
        try {
            CoapResponse response = client.advanced(request);
            return new Reply(request, response == null ? null : response.advanced(), request.getSendError());
        } catch (ConnectorException | IOException e) {
            return new Reply(request, null, e);
        } finally {
            client.shutdown();
        }
    }

    Reply get(String pathAndQuery, Type type) {
        Request request = Request.newGet();
        request.setType(type);
        return send(pathAndQuery, request);
    }

    Reply post(String path, Type type, int contentFormat, byte[] payload) {
        Request request = Request.newPost();
        request.setType(type);
        request.getOptions().setContentFormat(contentFormat);
        request.setPayload(payload);
        return send(path, request);
    }

    /** CoAP ping: an empty CON, answered by a RST (RFC 7252 §4.3). */
    boolean ping() {
        CoapClient client = new CoapClient(server);
        client.setEndpoint(endpoint);
        try {
            return client.ping(TIMEOUT_MS);
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
