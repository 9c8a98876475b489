package dev.vigil.device;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Locale;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.config.CoapConfig.MatcherMode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * A device's session with a Vigil server: DTLS 1.2 with the device's raw public key, the server's key
 * pinned (no other server is accepted), Connection ID support, RFC 7925 cipher suites.
 */
public final class DeviceClient implements AutoCloseable {

    /** What became of one request: a response code, options and payload, or why there was none. */
    public record Outcome(ResponseCode code, OptionSet options, byte[] payload, String failure) {
        public boolean isSuccess() {
            return code != null && code.isSuccess();
        }

        @Override
        public String toString() {
            if (code == null) {
                return failure;
            }
            String text = code.codeClass + "." + String.format("%02d", code.codeDetail) + " " + code.name();
            return code == ResponseCode.TOO_MANY_REQUESTS && options != null && options.hasMaxAge()
                    ? text + " (retry in " + options.getMaxAge() + " s)" : text;
        }
    }

    private final URI server;
    private final Traffic traffic = new Traffic();
    private final CountingConnector connector;
    private final CoapEndpoint endpoint;
    private long timeoutMs = 20_000;

    public DeviceClient(URI server, KeyPair deviceKey, PublicKey serverKey) {
        if (!"coaps".equals(server.getScheme())) {
            throw new IllegalArgumentException("the server URI must be coaps://, not " + server);
        }
        this.server = server;
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        // X25519 first for the ECDHE: about twice the handshakes of P-256 at the server, and cheaper here
        config.setAsList(DtlsConfig.DTLS_CURVES, XECDHECryptography.SupportedGroup.X25519,
                XECDHECryptography.SupportedGroup.secp256r1);
        // its own key's signature (ECDSA or Ed25519) and ECDSA for the server's P-256 key; no RSA
        config.set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS,
                KeyAlgorithm.of(deviceKey.getPublic()).handshakeSignatures());
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        // 2-byte tokens (Californium's default is 8): a device has few requests in flight, and every byte is air time
        config.set(CoapConfig.TOKEN_SIZE_LIMIT, 2);
        // a firmware image arrives block-wise (RFC 7959); its whole size may exceed the default 8 KiB
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 4 * 1024 * 1024);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(0))
                .setCertificateIdentityProvider(
                        new SingleCertificateProvider(deviceKey.getPrivate(), deviceKey.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        this.connector = new CountingConnector(dtls, traffic);
        this.endpoint = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(config).build();
    }

    /** A DTLS connector that counts what crosses its socket and the handshakes it completes. */
    private static final class CountingConnector extends DTLSConnector {

        private final Traffic traffic;

        CountingConnector(DtlsConnectorConfig config, Traffic traffic) {
            super(config);
            this.traffic = traffic;
        }

        @Override
        protected void sendNextDatagramOverNetwork(DatagramPacket datagram) throws IOException {
            super.sendNextDatagramOverNetwork(datagram);
            traffic.sent(datagram.getLength());
        }

        @Override
        protected void receiveNextDatagramFromNetwork(DatagramPacket datagram) throws IOException {
            super.receiveNextDatagramFromNetwork(datagram);
            traffic.received(datagram.getLength());
        }

        @Override
        protected void onInitializeHandshaker(Handshaker handshaker) {
            super.onInitializeHandshaker(handshaker);
            handshaker.addSessionListener(new SessionAdapter() {
                @Override
                public void handshakeCompleted(Handshaker completed) {
                    traffic.handshake(completed.isFullHandshake());
                }
            });
        }
    }

    /** Sees every message this client's endpoint sends and receives (a firmware download keeps its blocks). */
    void addInterceptor(org.eclipse.californium.core.network.interceptors.MessageInterceptor interceptor) {
        endpoint.addInterceptor(interceptor);
    }

    void removeInterceptor(org.eclipse.californium.core.network.interceptors.MessageInterceptor interceptor) {
        endpoint.removeInterceptor(interceptor);
    }

    /** What this client has sent and received so far, and its handshakes. */
    public Traffic traffic() {
        return traffic;
    }

    /**
     * Makes the next request start with a handshake — an abbreviated one (resumption) if the server still
     * knows the session, else a full one. For when requests go unanswered although the link seems up: the
     * server may have restarted and forgotten the session, and records under its old connection ID vanish.
     */
    public void renewSession() {
        connector.forceResumeAllSessions();
    }

    /** Observes {@code path} (RFC 7641): {@code handler} gets each notification; cancel the relation to stop. */
    public CoapObserveRelation observe(String path, Request request, CoapHandler handler) {
        CoapClient client = new CoapClient(server.resolve(path));
        client.setEndpoint(endpoint);
        client.setTimeout(timeoutMs);
        request.setURI(client.getURI());
        request.setObserve();
        return client.observe(request, handler);
    }

    public DeviceClient timeout(long millis) {
        this.timeoutMs = millis;
        return this;
    }

    /** POSTs a SenML CBOR pack to {@code /t}. */
    public Outcome sendTelemetry(byte[] senmlCbor) {
        return sendTelemetry("t", senmlCbor);
    }

    /** POSTs a SenML CBOR pack to {@code /resource}. */
    public Outcome sendTelemetry(String resource, byte[] senmlCbor) {
        Request request = Request.newPost();
        request.setPayload(senmlCbor);
        request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT);
        return send("/" + resource, request);
    }

    /** Whether the server answered at all (any response code, even a refusal). */
    public static boolean answered(Outcome outcome) {
        return outcome.code() != null;
    }

    /** Sends a prepared request to {@code path} on the server and waits for its outcome. */
    public Outcome send(String path, Request request) {
        CoapClient client = new CoapClient(server.resolve(path));
        client.setEndpoint(endpoint);
        client.setTimeout(timeoutMs);
        java.util.List<String> query = java.util.List.copyOf(request.getOptions().getUriQuery());
        request.setURI(client.getURI()); // sets the path, and the query from the URI: the request's own is kept
        query.forEach(request.getOptions()::addUriQuery);
        try {
            CoapResponse response = client.advanced(request);
            return response != null ? new Outcome(response.getCode(), response.getOptions(), response.getPayload(), null)
                    : failure(request.getSendError());
        } catch (ConnectorException | IOException e) {
            return failure(e);
        } finally {
            client.shutdown();
        }
    }

    private Outcome failure(Throwable error) {
        HandshakeException handshake = handshakeFailure(error);
        if (handshake != null && handshake.getMessage() != null && handshake.getMessage().startsWith("Received")) {
            return new Outcome(null, null, null, "the server refused the DTLS handshake ("
                    + handshake.getAlert().getDescription().name().toLowerCase(Locale.ROOT) + ")");
        }
        if (handshake != null) {
            return new Outcome(null, null, null, "this device refused the server: its key is not the pinned one ("
                    + handshake.getMessage() + ")");
        }
        return new Outcome(null, null, null,
                error == null ? "no answer within " + timeoutMs + " ms" : "failed: " + error.getMessage());
    }

    private static HandshakeException handshakeFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HandshakeException handshake) {
                return handshake;
            }
        }
        return null;
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
