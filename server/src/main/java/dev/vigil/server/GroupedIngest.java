package dev.vigil.server;

import dev.vigil.provisioning.telemetry.GroupCommitter;
import dev.vigil.provisioning.telemetry.Pack;
import dev.vigil.provisioning.telemetry.TelemetryStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The CoAP side of group commit ({@link GroupCommitter}): a request's checked pack joins the queue and the request's
 * thread returns; the writer answers the exchange after the commit of the group the pack was stored in.
 *
 * <p>A CON request still waiting {@code acceptAfterMillis} after it arrived is acknowledged with an empty ACK
 * ({@code CoapExchange.accept()}), so the device stops retransmitting while it waits, and its 2.04 then comes as a
 * separate CON response (Californium's ReliabilityLayer; {@code Request.acknowledge()} is atomic, so the ACK and a
 * piggy-backed 2.04 never both go out). Most packs are committed well before that (a group takes milliseconds):
 * their 2.04 rides piggy-backed on the ACK, one datagram rather than three. 0 accepts at once.
 *
 * <p>A full queue answers 5.03 Service Unavailable with Max-Age 1 (RFC 7252 §5.9.3.4): the device retries later,
 * nothing is stored, and memory stays bounded.
 */
final class GroupedIngest implements AutoCloseable {

    /** Seconds a device is told to wait (Max-Age of the 5.03) when the queue is full. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final GroupCommitter committer;
    private final long acceptAfterMillis;
    private final ScheduledThreadPoolExecutor timer;

    GroupedIngest(TelemetryStore store, int queueCapacity, long acceptAfterMillis) {
        this.committer = new GroupCommitter(store, queueCapacity, 512, 4096).start();
        this.acceptAfterMillis = acceptAfterMillis;
        this.timer = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, r -> {
            Thread thread = new Thread(r, "vigil-telemetry-accept");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Queues {@code pack}; {@code stored} or {@code failed} answers the exchange after the commit. A full or closed
     * queue answers 5.03 here and now.
     */
    void submit(CoapExchange exchange, Pack pack, Consumer<TelemetryStore.Stored> stored,
            Consumer<RuntimeException> failed) {
        ScheduledFuture<?> accept = null;
        if (acceptAfterMillis <= 0) {
            exchange.accept();
        } else {
            accept = timer.schedule(exchange::accept, acceptAfterMillis, TimeUnit.MILLISECONDS);
        }
        ScheduledFuture<?> pending = accept;
        boolean queued = committer.offer(pack, new GroupCommitter.Answer() {
            @Override
            public void stored(TelemetryStore.Stored result) {
                cancel(pending);
                stored.accept(result);
            }

            @Override
            public void failed(RuntimeException cause) {
                cancel(pending);
                failed.accept(cause);
            }
        });
        if (!queued) {
            cancel(pending);
            Response busy = new Response(ResponseCode.SERVICE_UNAVAILABLE);
            busy.getOptions().setMaxAge(RETRY_AFTER_SECONDS);
            exchange.respond(busy);
        }
    }

    private static void cancel(ScheduledFuture<?> accept) {
        if (accept != null) {
            accept.cancel(false);
        }
    }

    /** Groups written since start (benchmarks report packs per group). */
    long groups() {
        return committer.groups();
    }

    /** Refuses new packs (5.03), stores and answers those queued, then stops. */
    @Override
    public void close() {
        committer.close();
        timer.shutdownNow();
    }
}
