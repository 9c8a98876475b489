package dev.vigil.server;

import dev.vigil.policy.TrustTier;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;

/**
 * The node's metrics, in the Prometheus exposition format (the Prometheus Java client), served on
 * {@code VIGIL.METRICS_ADDRESS} at {@code /metrics}, with {@code /-/healthy} for load balancers and systemd.
 * The request path counts with lock-free counters; everything the node already counts (handshakes, sessions,
 * stored readings, security events, trust tiers) is read when scraped, not counted twice.
 */
final class Metrics implements AutoCloseable {

    /** Resources a label may name; anything else a device asks for is {@code other} (labels stay few). */
    private static final Set<String> RESOURCES = Set.of("t", "enroll", "key", "fw", "cmd", ".well-known", "gw");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("vigil_requests")
            .help("Requests to the device endpoint, by first path segment").labelNames("resource").register(registry);
    private final Counter decisions = Counter.builder().name("vigil_decisions")
            .help("Gate decisions: allowed, or why not").labelNames("decision").register(registry);
    private final Histogram gate = Histogram.builder().name("vigil_gate_seconds")
            .help("Time a request spends in the gate (lifecycle, policy, trust engine)").classicOnly()
            .classicUpperBounds(0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005,
                    0.01, 0.025, 0.1)
            .register(registry);
    private final Counter responses = Counter.builder().name("vigil_responses")
            .help("Responses of the device endpoint, by CoAP code").labelNames("code").register(registry);
    /** Labelled series, looked up once: the gate's path then does no allocation and no label-array hashing. */
    private final Map<String, CounterDataPoint> requestSeries = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> decisionSeries = new ConcurrentHashMap<>();
    private final Map<org.eclipse.californium.core.coap.CoAP.ResponseCode, CounterDataPoint> responseSeries =
            new ConcurrentHashMap<>();
    private HTTPServer http;

    Metrics() {
        JvmMetrics.builder().register(registry);
    }

    /** What the node counts anyway, read at each scrape. */
    void watch(LongSupplier fullHandshakes, LongSupplier resumptions, IntSupplier deviceSessions,
            IntSupplier enrollmentSessions, LongSupplier readingsStored, Supplier<Map<String, Long>> events,
            Supplier<Map<TrustTier, Long>> tiers) {
        CounterWithCallback.builder().name("vigil_handshakes").help("DTLS handshakes the device endpoint completed")
                .labelNames("kind").callback(cb -> {
                    cb.call(fullHandshakes.getAsLong(), "full");
                    cb.call(resumptions.getAsLong(), "resumed");
                }).register(registry);
        GaugeWithCallback.builder().name("vigil_sessions").help("DTLS connections the device endpoint holds")
                .labelNames("kind").callback(cb -> {
                    cb.call(deviceSessions.getAsInt(), "all");
                    cb.call(enrollmentSessions.getAsInt(), "enrollment");
                }).register(registry);
        CounterWithCallback.builder().name("vigil_readings_stored").help("Readings committed to the registry")
                .callback(cb -> cb.call(readingsStored.getAsLong())).register(registry);
        CounterWithCallback.builder().name("vigil_security_events")
                .help("Security events by type (handshake-refused, policy-denial, rate-limited, ...)")
                .labelNames("type").callback(cb -> events.get().forEach((type, n) -> cb.call(n, type)))
                .register(registry);
        GaugeWithCallback.builder().name("vigil_trust_devices").help("Devices the trust engine holds, by tier")
                .labelNames("tier").callback(cb -> {
                    Map<TrustTier, Long> counts = tiers.get();
                    for (TrustTier tier : TrustTier.values()) {
                        cb.call(counts.getOrDefault(tier, 0L), tier.name());
                    }
                }).register(registry);
    }

    /** Serves {@code /metrics} and {@code /-/healthy} on {@code host:port} (port 0: any free port). */
    void serve(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("VIGIL.METRICS_ADDRESS must be host:port or off, not '" + address + "'");
        }
        try {
            http = HTTPServer.builder().hostname(address.substring(0, colon))
                    .port(Integer.parseInt(address.substring(colon + 1))).registry(registry).buildAndStart();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VIGIL.METRICS_ADDRESS must be host:port or off, not '" + address + "'");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + address, e);
        }
    }

    /** The port metrics are served on, or -1. */
    int port() {
        return http == null ? -1 : http.getPort();
    }

    void request(String resource, String decision, long nanos) {
        requestSeries.computeIfAbsent(RESOURCES.contains(resource) ? resource : "other", requests::labelValues).inc();
        decisionSeries.computeIfAbsent(decision, decisions::labelValues).inc();
        gate.observe(nanos / 1e9);
    }

    /** Counts the device endpoint's responses by code. */
    MessageInterceptorAdapter responseCounter() {
        return new MessageInterceptorAdapter() {
            @Override
            public void sendResponse(Response response) {
                responseSeries.computeIfAbsent(response.getCode(), code -> responses.labelValues(code.toString())).inc();
            }
        };
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
