package dev.vigil.bench.revocation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.bench.BenchDevice;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.server.VigilServer;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.HandshakeException;

/**
 * Decommission → live session refused. Per trial: a device with a live session (one accepted reading),
 * an operator issuing {@code device.decommission} over the management endpoint (CoAPS, as the CLI does),
 * and the device's next request sent the moment the operator's command returns.
 */
public final class RevocationBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RevocationBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("revocation", "Decommission → live session refused", "interval", "p50 ms",
                "p99 ms", "max ms", "trials", "target", "verdict");
        int trials = ctx.pick(100, 30);
        int warmup = 5;
        DataDir dir = Fixtures.dataDir(ctx, "revocation");
        List<Double> ack = new ArrayList<>();
        List<Double> closeNotify = new ArrayList<>();
        List<Double> refused = new ArrayList<>();
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<Object[]> slowTrials = new ArrayList<>();
        int closeNotifyMissing = 0;
        try (VigilServer server = VigilServer.start(dir, Fixtures.serverConfig(30), Clock.systemUTC());
                ManagementClient admin = Fixtures.admin(dir, server)) {
            Fixtures.applyBenchPolicy(admin);
            List<KeyPair> keys = Keys.p256(trials + warmup);
            List<String> names = Fixtures.addDevices(server.registry().devices(), keys, "rev", Fixtures.BENCH_PROFILE);
            PublicKey serverKey = Fixtures.serverKey(dir).getPublic();
            Configuration config = BenchDevice.config(30);
            byte[] reading = SenmlCbor.encode(Map.of("temp", 21.5));
            for (int i = 0; i < trials + warmup; i++) {
                try (BenchDevice device = new BenchDevice(keys.get(i), serverKey, server.deviceAddress(), config, null)) {
                    CompletableFuture<Long> closed = new CompletableFuture<>();
                    device.connector.setAlertHandler((peer, alert) -> {
                        if (alert.getDescription() == AlertDescription.CLOSE_NOTIFY) {
                            closed.complete(System.nanoTime());
                        }
                    });
                    BenchDevice.Result first = device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT, 10_000);
                    if (!first.success()) {
                        throw new IllegalStateException("device " + names.get(i) + " could not send before the trial: "
                                + first);
                    }
                    Thread.sleep(20);
                    long t0 = System.nanoTime();
                    admin.call("device.decommission", JSON.createObjectNode().put("name", names.get(i)));
                    long t1 = System.nanoTime();
                    boolean closedFirst = closed.isDone();
                    BenchDevice.Result next = device.postAndWait("/t", reading, SenmlCbor.CONTENT_FORMAT, 10_000);
                    long t2 = System.nanoTime();
                    Long tc = null;
                    try {
                        tc = closed.get(2, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // no close_notify seen
                    }
                    if (i < warmup) {
                        continue;
                    }
                    ack.add((t1 - t0) / 1e6);
                    String outcome = outcome(next) + (closedFirst ? " — close_notify had arrived"
                            : " — sent before close_notify arrived");
                    outcomes.merge(outcome, 1, Integer::sum);
                    if (!next.success()) {
                        refused.add((t2 - t0) / 1e6);
                    }
                    if ((t2 - t0) / 1e6 > 50) {
                        slowTrials.add(new Object[] {i - warmup + 1, (t2 - t0) / 1e6,
                            tc == null ? null : (tc - t0) / 1e6, (t1 - t0) / 1e6, outcome});
                    }
                    if (tc != null) {
                        closeNotify.add((tc - t0) / 1e6);
                    } else {
                        closeNotifyMissing++;
                    }
                }
            }
        }
        row(section, "decommission issued → device's next request refused (the headline)", refused, trials, 50);
        row(section, "decommission issued → server's close_notify received by the device", closeNotify, trials, Double.NaN);
        row(section, "decommission issued → operator's command acknowledged (2.05)", ack, trials, Double.NaN);
        Section how = section.table("How the device's next request ended", "outcome", "trials");
        outcomes.forEach(how::row);
        section.define(String.format("One Vigil node in-process (loopback, JCE provider " + dev.vigil.bench.Machine.provider() + "), %d trials after %d warm-up"
                + " trials, each with a fresh device (profile '%s'): the device opens a session and gets a reading"
                + " accepted (2.04); 20 ms later an admin operator, whose management session is already up, issues"
                + " `device.decommission` over CoAPS (CoapsManagementClient, what `vigil device decommission` runs)"
                + " — t0 is when the call starts. The device sends its next reading (CON POST /t) the moment the"
                + " operator's call returns. 'Refused' = that request did not get a 2.xx: a refused re-handshake"
                + " (bad_certificate) or a 4.03 from the gate; its time is t0 → the device learning it."
                + " close_notify = t0 → the device's DTLS connector receiving the server's close_notify alert.",
                trials, warmup, Fixtures.BENCH_PROFILE));
        if (closeNotifyMissing > 0) {
            section.note(closeNotifyMissing + " trials saw no close_notify within 2 s of the decommission.");
        }
        int accepted = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("ACCEPTED"))
                .mapToInt(Map.Entry::getValue).sum();
        if (accepted > 0) {
            section.note("**" + accepted + " request(s) sent after the decommission was acknowledged were accepted.**");
        }
        long raced = outcomes.entrySet().stream().filter(e -> e.getKey().endsWith("sent before close_notify arrived"))
                .mapToLong(Map.Entry::getValue).sum();
        if (!slowTrials.isEmpty()) {
            section.note(String.format("Trials over 50 ms: %d (in %d of %d trials the device's next request went out"
                    + " before the server's close_notify reached it). SessionTerminator answers requests on a revoked"
                    + " session with 4.03 for %d ms before it sends close_notify, because a peer discards every record"
                    + " that follows a close_notify: a request whose 4.03 crosses the close_notify on the wire is"
                    + " learnt only at the device's CoAP retransmission (ACK_TIMEOUT 2 s × random factor), when its"
                    + " re-handshake is refused. The revocation itself holds either way (no request accepted).",
                    slowTrials.size(), raced, trials, dev.vigil.server.BenchAccess.refusalWindowMs()));
        }
        Section slow = section.table("Trials slower than 50 ms (refusal)", "trial", "refused after ms",
                "close_notify after ms", "operator ack after ms", "outcome");
        for (Object[] trial : slowTrials) {
            slow.row(trial);
        }
        return section;
    }

    private static void row(Section section, String what, List<Double> values, int trials, double targetMs) {
        double p99 = Fmt.percentile(values, 99);
        section.row(what, Fmt.median(values), p99, Fmt.max(values), values.size() + " / " + trials,
                Double.isNaN(targetMs) ? "–" : "p99 ≤ " + Fmt.num(targetMs) + " ms",
                Double.isNaN(targetMs) ? "–" : values.size() == trials && p99 <= targetMs ? "meets" : "MISSES");
    }

    private static String outcome(BenchDevice.Result result) {
        if (result.success()) {
            return "ACCEPTED (2.xx): revocation not in effect";
        }
        if (result.code() != null) {
            return "refused by the gate: " + result.code().codeClass + "." + String.format("%02d", result.code().codeDetail)
                    + " " + result.code().name();
        }
        for (Throwable t = result.error(); t != null; t = t.getCause()) {
            if (t instanceof HandshakeException handshake) {
                return "re-handshake refused: " + handshake.getAlert().getDescription().name().toLowerCase();
            }
        }
        return "no answer: " + result.error();
    }
}
