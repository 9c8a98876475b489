package dev.vigil.bench;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.config.CoapConfig.MatcherMode;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConfig.DtlsRole;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/**
 * A device as {@code dev.vigil.device.DeviceClient} configures it (CLIENT_ONLY, raw public keys, the
 * server key pinned, RFC 7925 suites CCM_8 + GCM, CID supported with an empty own CID, principal
 * response matching), with what a load generator needs on top: asynchronous requests, shared executors
 * (so 100 devices do not cost 400 threads), one receiver thread, access to the DTLS connector.
 */
public final class BenchDevice implements AutoCloseable {

    /** What became of one request. */
    public record Result(ResponseCode code, Throwable error, long nanos) {
        public boolean success() {
            return code != null && code.isSuccess();
        }
    }

    public final CoapEndpoint endpoint;
    public final DTLSConnector connector;
    private final String base;

    /** DeviceClient's configuration plus a short exchange lifetime and a single receiver thread. */
    public static Configuration config(int exchangeLifetimeSeconds) {
        Configuration config = new Configuration(SystemConfig.DEFINITIONS, UdpConfig.DEFINITIONS,
                CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
        config.set(DtlsConfig.DTLS_ROLE, DtlsRole.CLIENT_ONLY);
        config.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
        config.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, 0);
        config.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
        config.set(CoapConfig.RESPONSE_MATCHING, MatcherMode.PRINCIPAL);
        // load-generator economy, not protocol behaviour
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 16);
        config.set(CoapConfig.EXCHANGE_LIFETIME, exchangeLifetimeSeconds, TimeUnit.SECONDS);
        config.set(CoapConfig.NON_LIFETIME, Math.min(exchangeLifetimeSeconds, 145), TimeUnit.SECONDS);
        config.set(CoapConfig.MARK_AND_SWEEP_INTERVAL, Math.max(1, Math.min(10, exchangeLifetimeSeconds / 2)),
                TimeUnit.SECONDS);
        config.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        return config;
    }

    /**
     * @param shared executor for the CoAP stack and the DTLS connector of many devices, or null for
     *            per-device ones
     */
    public BenchDevice(KeyPair key, PublicKey serverKey, InetSocketAddress server, Configuration config,
            ScheduledExecutorService shared) {
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .setCertificateIdentityProvider(new SingleCertificateProvider(key.getPrivate(), key.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(serverKey)).build())
                .build();
        connector = new DTLSConnector(dtls);
        if (shared != null) {
            connector.setExecutor(shared);
        }
        endpoint = new CoapEndpoint.Builder().setConnector(connector).setConfiguration(config).build();
        if (shared != null) {
            endpoint.setExecutors(shared, shared);
        }
        try {
            endpoint.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        base = "coaps://" + server.getAddress().getHostAddress() + ":" + server.getPort();
    }

    /** A confirmable POST; the future completes with the response code or the failure. */
    public CompletableFuture<Result> post(String path, byte[] payload, int contentFormat) {
        Request request = Request.newPost();
        request.setURI(base + path);
        request.setPayload(payload);
        request.getOptions().setContentFormat(contentFormat);
        return send(request);
    }

    public CompletableFuture<Result> send(Request request) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        long start = System.nanoTime();
        request.addMessageObserver(new MessageObserverAdapter() {
            @Override
            public void onResponse(Response response) {
                result.complete(new Result(response.getCode(), null, System.nanoTime() - start));
            }

            @Override
            protected void failed() {
                Throwable error = request.getSendError();
                result.complete(new Result(null, error != null ? error
                        : new IllegalStateException(request.isTimedOut() ? "timeout" : request.isRejected()
                                ? "rejected" : "canceled"), System.nanoTime() - start));
            }
        });
        endpoint.sendRequest(request);
        return result;
    }

    /** Synchronous POST with a deadline (the request is cancelled after it). */
    public Result postAndWait(String path, byte[] payload, int contentFormat, long timeoutMs) {
        CompletableFuture<Result> future = post(path, payload, contentFormat);
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Result(null, new IllegalStateException("no answer within " + timeoutMs + " ms"), timeoutMs * 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, e, 0);
        } catch (java.util.concurrent.ExecutionException e) {
            return new Result(null, e.getCause(), 0);
        }
    }

    @Override
    public void close() {
        endpoint.destroy();
    }
}
