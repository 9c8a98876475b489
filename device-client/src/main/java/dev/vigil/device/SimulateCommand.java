package dev.vigil.device;

import dev.vigil.device.agent.AgentConfig;
import dev.vigil.device.agent.Durations;
import dev.vigil.device.agent.Source;
import dev.vigil.device.sim.FleetTotals;
import dev.vigil.device.sim.LossyRelay;
import dev.vigil.device.sim.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device simulate}: a fleet of agents in one JVM, each in {@code DIR/device-NNN}, optionally behind
 * an in-process lossy UDP relay. Everything is checked before anything is written: a bad argument, or a device
 * that must enroll without a token, is one line and exit 2 with nothing created.
 */
@Command(name = "simulate", sortOptions = false,
        description = {"Run many device agents in this JVM against a server, for demos and load tests.",
            "Each device lives in DIR/device-NNN (own key, state, queue); missing keys are made, devices without an"
                + " enrollment enroll with --token (one token with --uses N serves the fleet), enrolled devices are"
                + " reused. Runs until --duration elapses (then each device drains its queue, at most --drain) or"
                + " SIGTERM/Ctrl-C; prints progress every 10 s and a summary.",
            "Each device has its own agent and DTLS/CoAP endpoint, about 5 threads: 200 devices ran with about"
                + " 1,000 threads on 2 cores; for many more, run several JVMs. The server paces enrollment per source"
                + " address (VIGIL.ENROLL_RATE 0.2/s, burst 5, by default): a large fleet's first run waits (4.29)."})
final class SimulateCommand implements Callable<Integer> {

    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3})?)%?");
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Directory of the fleet (DIR/device-NNN).")
    Path root;

    @Option(names = "--devices", required = true, paramLabel = "N", description = "How many devices, 1 to 999.")
    int devices;

    @Option(names = "--interval", required = true, paramLabel = "DURATION", description = "How often each device takes a reading, e.g. 100ms, 5s, 5m.")
    String interval;

    @Option(names = "--loss", paramLabel = "P%", description = "Put a relay between the devices and the server that drops each datagram (either way) with this probability, e.g. 20%%.")
    String loss;

    @Option(names = "--server", paramLabel = "URI", description = "coaps://host:port (default: the server device-001 enrolled with)")
    URI server;

    @Option(names = "--server-key", paramLabel = "FILE", description = "Server key to pin (needed to enroll; default: each device's pinned one)")
    Path serverKey;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Enrollment token for devices not enrolled yet (vigil token create --uses N).")
    String token;

    @Option(names = "--duration", paramLabel = "DURATION", description = "How long devices take readings (default: until SIGTERM/Ctrl-C).")
    String duration;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "60s", description = "After --duration, how long devices may take to empty their queues (default ${DEFAULT-VALUE}).")
    String drain;

    @Option(names = "--sources", paramLabel = "LIST", defaultValue = "sim", description = "What each device reads (default ${DEFAULT-VALUE}: a seeded random walk).")
    String sources;

    @Option(names = "--pack", paramLabel = "N", description = "Readings per request at most (default 10)")
    String pack;

    @Option(names = "--confirm-every", paramLabel = "N", description = "1: every request CON; N: every Nth (default 1)")
    String confirmEvery;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long an agent waits for an answer (default 30s); a stop waits for answers in flight.")
    String timeout;

    @Option(names = "--backoff-max", paramLabel = "DURATION", description = "The longest wait between attempts while the server does not answer (default 5m).")
    String backoffMax;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seeds the relay's losses and the sim sources (device i: N+i; default ${DEFAULT-VALUE}).")
    long seed;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch summarised = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        if (devices < 1 || devices > 999) {
            throw usage("--devices must be from 1 to 999, not " + devices);
        }
        List<Path> dirs = new ArrayList<>();
        for (int i = 1; i <= devices; i++) {
            dirs.add(root.resolve(String.format("device-%03d", i)));
        }
        Duration every = checkedDuration("--interval", interval);
        Duration runFor = duration == null ? null : checkedDuration("--duration", duration);
        Duration drainFor = checkedDuration("--drain", drain);
        double lossRate = loss == null ? -1 : percent(loss);
        URI target = server != null ? server : enrolledServer(dirs.get(0));
        if (!"coaps".equals(target.getScheme()) || target.getHost() == null || target.getPort() < 0) {
            throw usage("--server must be coaps://host:port, not " + target);
        }
        List<Path> toEnroll = dirs.stream().filter(dir -> !Files.exists(dir.resolve(Enrollment.RESULT_FILE))).toList();
        if (!toEnroll.isEmpty() && token == null) {
            throw usage(toEnroll.size() + " of " + devices + " devices (" + toEnroll.get(0).getFileName()
                    + (toEnroll.size() > 1 ? "…" : "") + ") must enroll: give --token vgt_... (vigil token create"
                    + " --profile sensor --uses " + toEnroll.size() + ")");
        }
        if (!toEnroll.isEmpty() && serverKey == null) {
            throw usage("enrolling needs the server's key: give --server-key FILE");
        }
        if (serverKey != null) {
            DeviceKeys.readPublicKey(serverKey); // readable, and a key
        }
        for (int i = 0; i < dirs.size(); i++) {
            Path dir = dirs.get(i);
            if (serverKey == null && Files.exists(dir.resolve(Enrollment.RESULT_FILE))
                    && !Files.exists(dir.resolve(Enrollment.SERVER_KEY_FILE))) {
                throw usage(dir + " has no pinned server key: give --server-key FILE");
            }
            config(dir, i, target); // every setting checked before anything is written
        }
        PrintWriter out = spec.commandLine().getOut();
        Integer refused = enroll(toEnroll, target, out);
        if (refused != null) {
            return refused;
        }
        return run(dirs, target, every, runFor, drainFor, lossRate, out);
    }

    private Integer enroll(List<Path> toEnroll, URI target, PrintWriter out) throws IOException, InterruptedException {
        for (Path dir : toEnroll) {
            if (!Files.exists(dir.resolve(DeviceKeys.KEY_FILE))) {
                DeviceKeys.generate(dir);
            }
            DeviceClient.Outcome outcome;
            while ((outcome = Enrollment.enroll(dir, target, serverKey, token, 20_000)).code()
                    == ResponseCode.TOO_MANY_REQUESTS) {
                long wait = outcome.options().hasMaxAge() ? outcome.options().getMaxAge() : 5;
                out.printf("%s: enrollment paced by the server (4.29): waiting %d s%n", dir.getFileName(), wait);
                out.flush();
                Thread.sleep(wait * 1000);
            }
            if (!outcome.isSuccess()) {
                int enrolled = toEnroll.indexOf(dir);
                spec.commandLine().getErr().printf("vigil-device simulate: %s: enrollment %s (%d devices enrolled now"
                        + " are kept; run again with another token for the rest)%n", dir.getFileName(),
                        outcome.code() == ResponseCode.FORBIDDEN
                        ? "refused: the token is spent, expired or wrong" : "failed: " + outcome, enrolled);
                return Main.exitCode(outcome);
            }
            Path settings = dir.resolve(AgentConfig.FILE);
            if (!Files.exists(settings)) {
                Files.writeString(settings, "server=" + target + "\n", StandardCharsets.UTF_8);
            }
        }
        if (!toEnroll.isEmpty()) {
            out.printf("enrolled %d devices, reused %d%n", toEnroll.size(), devices - toEnroll.size());
        }
        return null;
    }

    private Integer run(List<Path> dirs, URI target, Duration every, Duration runFor, Duration drainFor,
            double lossRate, PrintWriter out) throws Exception {
        LossyRelay relay = lossRate < 0 ? null
                : new LossyRelay(new InetSocketAddress(target.getHost(), target.getPort()), lossRate, seed);
        URI agentsTo = relay == null ? target : URI.create("coaps://127.0.0.1:" + relay.port());
        List<AgentConfig> configs = new ArrayList<>();
        try {
            for (int i = 0; i < dirs.size(); i++) {
                configs.add(config(dirs.get(i), i, agentsTo));
            }
        } catch (IOException | RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            throw e;
        }
        Thread hook = new Thread(this::stopFromSignal, "vigil-sim-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runUntilDone(configs, relay, target, every, runFor, drainFor, out);
        } finally {
            summarised.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it has waited for the summary
            }
        }
    }

    private Integer runUntilDone(List<AgentConfig> configs, LossyRelay relay, URI target, Duration every,
            Duration runFor, Duration drainFor, PrintWriter out) throws Exception {
        out.printf("simulating %d devices every %s against %s%s%s%n", devices, Durations.format(every), target,
                relay == null ? "" : String.format(" through a relay dropping %s%% of datagrams", loss.replace("%", "")),
                runFor == null ? " until SIGTERM/Ctrl-C" : " for " + Durations.format(runFor));
        out.flush();
        FleetTotals totals;
        long began;
        try (Simulation simulation = Simulation.start(configs, relay)) {
            began = System.nanoTime(); // all agents started: the duration counts from here
            boolean stopped = waitAndReport(simulation, began, runFor == null ? -1 : began + runFor.toNanos(), out);
            if (!stopped && runFor != null) {
                simulation.finish();
                long drainEnd = System.nanoTime() + drainFor.toNanos();
                while (!simulation.awaitEnd(Math.min(drainEnd, System.nanoTime() + PROGRESS_EVERY.toNanos()))
                        && System.nanoTime() < drainEnd && stopRequested.getCount() > 0) {
                    out.println(simulation.totals().progressLine(Duration.ofNanos(System.nanoTime() - began)) + " (draining)");
                    out.flush();
                }
            }
            if (stopRequested.getCount() == 0) {
                out.println("stopping: waiting for answers in flight (at most --timeout)");
                out.flush();
            }
            simulation.close();
            totals = simulation.totals();
        }
        totals.printSummary(out, Duration.ofNanos(System.nanoTime() - began));
        out.flush();
        return Main.OK;
    }

    /** Progress every 10 s until {@code endNanos} (-1: none) or a stop request; true if stopped by request. */
    private boolean waitAndReport(Simulation simulation, long began, long endNanos, PrintWriter out)
            throws InterruptedException {
        long nextProgress = began + PROGRESS_EVERY.toNanos();
        while (true) {
            long now = System.nanoTime();
            if (endNanos >= 0 && now >= endNanos) {
                return false;
            }
            long until = endNanos >= 0 ? Math.min(nextProgress, endNanos) : nextProgress;
            if (stopRequested.await(Math.max(1, until - now), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (System.nanoTime() >= nextProgress) {
                out.println(simulation.totals().progressLine(Duration.ofNanos(System.nanoTime() - began)));
                out.flush();
                nextProgress += PROGRESS_EVERY.toNanos();
            }
        }
    }

    private void stopFromSignal() {
        stopRequested.countDown();
        try {
            summarised.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The agent settings of device {@code index} (0-based) sending to {@code to}; a bad one is a usage error. */
    private AgentConfig config(Path dir, int index, URI to) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server", to.toString());
        if (serverKey != null) {
            settings.put("server-key", serverKey.toString());
        }
        settings.put("interval", interval);
        settings.put("sources", sources);
        if (pack != null) {
            settings.put("pack", pack);
        }
        if (confirmEvery != null) {
            settings.put("confirm-every", confirmEvery);
        }
        if (timeout != null) {
            settings.put("timeout", timeout);
        }
        if (backoffMax != null) {
            settings.put("backoff-max", backoffMax);
        }
        settings.put("seed", Long.toString(Math.max(0, seed) + index));
        try {
            AgentConfig config = AgentConfig.load(dir, settings);
            for (String source : config.sources()) {
                Source.parse(source, config.seed());
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw usage(dir.getFileName() + ": " + e.getMessage());
        }
    }

    /** The server device-001 enrolled with ({@code server=} in its agent.properties). */
    private URI enrolledServer(Path first) throws IOException {
        Path file = first.resolve(AgentConfig.FILE);
        if (Files.exists(file)) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            String value = properties.getProperty("server");
            if (value != null && !value.isBlank()) {
                return URI.create(value.trim());
            }
        }
        throw usage("no server: give --server coaps://host:port");
    }

    private Duration checkedDuration(String option, String text) {
        try {
            Duration d = Durations.parse(option, text);
            if (d.isZero()) {
                throw usage(option + " must be above zero");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** {@code 20%} (or {@code 20}) as 0.2; 0% to 100%. */
    private double percent(String text) {
        Matcher m = PERCENT.matcher(text.trim());
        if (m.matches() && Double.parseDouble(m.group(1)) <= 100) {
            return Double.parseDouble(m.group(1)) / 100;
        }
        throw usage("--loss must be a percentage from 0% to 100%, such as 20%, not '" + text + "'");
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
