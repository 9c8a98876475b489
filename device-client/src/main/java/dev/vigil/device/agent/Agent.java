package dev.vigil.device.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.Cbor;
import dev.vigil.device.CrashPoints;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.FirmwareUpdate;
import dev.vigil.device.KeyRotator;
import dev.vigil.device.SenmlCbor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running device agent. Every interval it reads its sources and appends the values to the on-disk
 * queue (durable before anything is sent), then sends the oldest queued readings as numbered SenML packs over
 * one long-lived DTLS session (Connection ID: a NAT rebinding costs nothing), removing them only after their
 * 2.04. Nothing is lost across outages, kills and reboots, and nothing is stored twice: the server drops
 * numbers it holds already.
 *
 * <p>Link manners: no answer → exponential backoff with full jitter (and after two in a row, the next request
 * starts with a handshake, in case the server forgot the session); 4.29 → wait its Max-Age; 5.03 → wait its
 * Max-Age (60 s without one), bounded and with jitter ({@link RetryAfter}), the readings kept; 4.03 → not retried
 * blindly: it checks its standing (is {@code /t} still granted to it?) and waits an interval or more; 4.00 or
 * 4.13 for a pack → halve the pack, and a single reading the server will never take is dropped and counted.
 * All work runs on one thread; command notifications are handed to it.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    static final String OVERRIDES = "agent.overrides.properties";
    static final String RUNNING_FILE = "firmware-running";

    private final ReadingQueue queue;
    private final List<Source> sources;
    private final AgentStatus status;
    private final Backoff backoff;
    private final SplittableRandom random = new SplittableRandom();
    private final CommandHandlers handlers;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-agent");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Set<Long> commandsRun = new HashSet<>();
    private volatile AgentConfig config;
    private DeviceClient client;
    private CoapObserveRelation observation;
    private long requests;
    private int pack;
    private int silentInARow;
    private int ticksSinceSend;
    private long notBefore;
    private ScheduledFuture<?> pendingRetry;
    private long lastFirmwareCheck; // epoch millis of the last check: 0, so the first round checks
    private String running;
    private String runningDigest;
    private int ticksLeft;
    private boolean closed;

    public Agent(AgentConfig config) throws IOException {
        this.config = config;
        this.queue = ReadingQueue.open(config.state().resolve("queue"), config.queueMaxBytes());
        List<Source> parsed = new ArrayList<>();
        for (String spec : config.sources()) {
            parsed.add(Source.parse(spec, config.seed()));
        }
        this.sources = parsed;
        this.status = new AgentStatus(Instant.now());
        this.backoff = new Backoff(Duration.ofSeconds(1), config.backoffMax(), random);
        this.handlers = new CommandHandlers(config.commands(), config.commandPrograms(), config.reboot(),
                this::setInterval);
        this.pack = config.pack();
        String[] running = runningFirmware(config);
        this.running = running[0];
        this.runningDigest = running.length > 2 ? running[2] : null;
    }

    /**
     * Runs until {@link #close()} (or, with {@code ticks > 0}, for that many intervals, then keeps sending
     * until its queue is empty, for at most three times timeout plus longest backoff, and returns).
     */
    public void run(int ticks) throws InterruptedException {
        this.ticksLeft = ticks;
        thread.execute(this::start);
        stopped.await();
    }

    private void start() {
        try {
            KeyRotator.Result recovered = rotator().recover(); // a rotation a crash interrupted
            if (recovered != KeyRotator.Result.NOTHING_TO_RECOVER) {
                LOG.info("event=rotation-recovered result={}", recovered);
            }
            openClient();
            if (config.firmwareHook() != null) {
                DeviceClient.Outcome reported = new FirmwareUpdate(client, signerKey(), config.firmwareHook(),
                        config.state()).reportRunning(running.split(":")[0], runningDigest);
                LOG.info("event=firmware-running version={} reported={}", running, reported);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("event=start-failed reason=\"{}\"", e.getMessage());
            stop();
            return;
        }
        tick();
    }

    private void tick() {
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        try {
            List<Measurement> values = new ArrayList<>();
            for (Source source : sources) {
                try {
                    values.addAll(source.read(now));
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warn("event=source-failed reason=\"{}\"", e.getMessage());
                }
            }
            if (!values.isEmpty()) {
                List<QueuedReading> queued = queue.append(values);
                LOG.debug("event=queued seq={}..{}", queued.get(0).seq(), queued.get(queued.size() - 1).seq());
                CrashPoints.reach("agent:queued");
            }
            maybeRotateOnSchedule();
            if (++ticksSinceSend >= config.sendEvery() || ticksLeft == 1) {
                ticksSinceSend = 0;
                flush();
            }
            observeCommands();
            checkFirmware(now);
        } catch (IOException | RuntimeException e) {
            LOG.error("event=round-failed reason=\"{}\"", e.toString());
        }
        writeStatus();
        if (ticksLeft > 0 && --ticksLeft == 0) {
            finish(System.currentTimeMillis() + 3 * (config.timeout().toMillis() + config.backoffMax().toMillis()));
            return;
        }
        // readings keep their interval even when a round waited for a silent server (up to its timeout)
        long took = System.nanoTime() - started;
        thread.schedule(this::tick, Math.max(0, config.interval().toNanos() - took), TimeUnit.NANOSECONDS);
    }

    /** After the last of a bounded run's ticks: lets scheduled retries drain the queue, for a while. */
    private void finish(long deadline) {
        if (queue.depth() == 0 || System.currentTimeMillis() >= deadline) {
            stop();
            return;
        }
        thread.schedule(() -> finish(deadline), 100, TimeUnit.MILLISECONDS);
    }

    /** Sends queued readings until the queue is empty or the link says wait. */
    private void flush() throws IOException {
        while (queue.depth() > 0) {
            long now = System.currentTimeMillis();
            if (now < notBefore) {
                return; // a retry is scheduled for then
            }
            List<QueuedReading> batch = queue.oldest(pack);
            Request request = Request.newPost();
            request.setConfirmable(++requests % config.confirmEvery() == 0);
            request.setPayload(SenmlPack.encode(batch, now));
            request.getOptions().setContentFormat(SenmlCbor.CONTENT_FORMAT).addUriQuery("s=" + batch.get(0).seq());
            DeviceClient.Outcome outcome = client.send("/t", request);
            Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
            status.attempt(at, outcome.toString());
            status.traffic(client.traffic(), at);
            long last = batch.get(batch.size() - 1).seq();
            if (outcome.code() == ResponseCode.CHANGED) {
                CrashPoints.reach("agent:stored");
                queue.ack(last);
                status.sent(at, batch.size());
                backoff.reset();
                silentInARow = 0;
                pack = config.pack();
                LOG.info("event=sent readings={} seq={}..{} queue={}", batch.size(), batch.get(0).seq(), last,
                        queue.depth());
                flags(outcome);
                continue;
            }
            if (outcome.code() == null && outcome.failure().contains("refused")) {
                status.standing(outcome.failure()); // the handshake itself: revoked, suspended, or another server
                wait(Math.max(config.interval().toMillis(), backoff.nextMillis()), "refused", outcome.failure());
                return;
            }
            if (outcome.code() == null) {
                if (++silentInARow >= 2) {
                    client.renewSession(); // the server may have restarted and forgotten the session
                }
                wait(backoff.nextMillis(), "no-answer", outcome.failure());
                return;
            }
            switch (outcome.code()) {
                case TOO_MANY_REQUESTS -> {
                    long maxAge = outcome.options().hasMaxAge() ? outcome.options().getMaxAge() : 60;
                    wait(maxAge * 1000, "rate-limited", "4.29, Max-Age " + maxAge + " s");
                    return;
                }
                case SERVICE_UNAVAILABLE -> {
                    // busy, not broken (e.g. its commit queue is full): come back when it says, not sooner
                    Long maxAge = outcome.options().hasMaxAge() ? outcome.options().getMaxAge() : null;
                    long millis = RetryAfter.millis(maxAge, Math.max(config.backoffMax().toMillis(),
                            RetryAfter.DEFAULT_SECONDS * 1000), random);
                    wait(millis, "unavailable", "5.03, Max-Age " + (maxAge == null ? RetryAfter.DEFAULT_SECONDS
                            + " s (none given)" : maxAge + " s") + "; " + batch.size() + " readings kept for the retry");
                    return;
                }
                case FORBIDDEN -> {
                    String standing = standing();
                    status.standing(standing);
                    wait(Math.max(config.interval().toMillis(), backoff.nextMillis()), "refused", standing);
                    return;
                }
                case BAD_REQUEST, REQUEST_ENTITY_TOO_LARGE, UNSUPPORTED_CONTENT_FORMAT -> {
                    if (batch.size() > 1) {
                        pack = Math.max(1, batch.size() / 2);
                        LOG.warn("event=pack-refused code={} readings={} next-pack={}", outcome, batch.size(), pack);
                    } else {
                        queue.ack(last); // the server will never take this reading: keep the rest moving
                        status.rejected(1);
                        LOG.warn("event=reading-rejected code={} seq={}", outcome, last);
                    }
                }
                default -> {
                    wait(backoff.nextMillis(), "server-error", outcome.toString());
                    return;
                }
            }
        }
    }

    private void retry() {
        pendingRetry = null;
        try {
            flush();
        } catch (IOException | RuntimeException e) {
            LOG.error("event=retry-failed reason=\"{}\"", e.toString());
        }
        writeStatus();
    }

    private void wait(long millis, String event, String detail) {
        notBefore = System.currentTimeMillis() + millis;
        LOG.info("event={} detail=\"{}\" retry-in-ms={} queue={}", event, detail, millis, queue.depth());
        if (pendingRetry != null) {
            pendingRetry.cancel(false);
        }
        pendingRetry = thread.schedule(this::retry, millis, TimeUnit.MILLISECONDS);
    }

    /** What a refusal means: is {@code /t} still listed for this device (discovery is filtered by policy)? */
    private String standing() {
        DeviceClient.Outcome discovery = client.send("/.well-known/core", Request.newGet());
        if (discovery.code() != ResponseCode.CONTENT) {
            return "refused, and discovery answered " + discovery;
        }
        String links = new String(discovery.payload(), StandardCharsets.UTF_8);
        return links.contains("</t>") ? "refused, though /t is granted (a condition: schedule, size or tier)"
                : "refused: /t is not granted now (suspended, quarantined or key too old?)";
    }

    private void flags(DeviceClient.Outcome outcome) throws IOException {
        if (outcome.payload() == null || outcome.payload().length == 0) {
            return;
        }
        JsonNode flags;
        try {
            flags = Cbor.read(outcome.payload());
        } catch (IOException e) {
            return;
        }
        if (flags.path("seq").canConvertToLong() && flags.path("seq").asLong() >= queue.nextSeq()) {
            queue.skipTo(flags.path("seq").asLong()); // restored from an old backup: number on from the server's
            LOG.warn("event=sequence-skipped to={}", flags.path("seq").asLong());
        }
        if (flags.path("rotate").asBoolean(false)) {
            rotate("the server asked");
        }
        if (flags.path("commands").asBoolean(false) && (observation == null || observation.isCanceled())) {
            fetchCommands();
        }
    }

    private void maybeRotateOnSchedule() throws IOException {
        if (config.rotateEvery().isZero()) {
            return;
        }
        Path key = config.state().resolve(DeviceKeys.KEY_FILE);
        Instant made = Files.getLastModifiedTime(key).toInstant();
        if (made.plus(config.rotateEvery()).isBefore(Instant.now())) {
            rotate("the key is older than " + Durations.format(config.rotateEvery()));
        }
    }

    private void rotate(String why) throws IOException {
        closeClient();
        KeyRotator.Result result = rotator().rotate();
        LOG.info("event=rotation reason=\"{}\" result={}", why, result);
        openClient();
    }

    private void observeCommands() {
        if (config.commands().isEmpty() || (observation != null && !observation.isCanceled())) {
            return;
        }
        observation = client.observe("/cmd", Cbor.get(), new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (response.getCode() == ResponseCode.CONTENT) {
                    byte[] payload = response.getPayload();
                    thread.execute(() -> runCommands(payload));
                } else {
                    LOG.info("event=commands-refused code={}", response.getCode());
                    thread.execute(Agent.this::cancelObservation);
                }
            }

            @Override
            public void onError() {
                thread.execute(Agent.this::cancelObservation);
            }
        });
    }

    private void cancelObservation() {
        if (observation != null) {
            observation.proactiveCancel();
            observation = null;
        }
    }

    private void fetchCommands() {
        DeviceClient.Outcome fetched = client.send("/cmd", Cbor.get());
        if (fetched.code() == ResponseCode.CONTENT) {
            runCommands(fetched.payload());
        }
    }

    private void runCommands(byte[] payload) {
        JsonNode commands;
        try {
            commands = Cbor.MAPPER.readTree(payload);
        } catch (IOException e) {
            return;
        }
        for (JsonNode command : commands) {
            long id = command.path("id").asLong();
            if (!commandsRun.add(id)) {
                continue; // offered again until its result arrives: it ran once
            }
            String name = command.path("command").asText();
            var report = handlers.run(name, command.path("args"));
            DeviceClient.Outcome reported = client.send("/cmd/" + id, Cbor.post(report));
            if (!reported.isSuccess() && !DeviceClient.answered(reported)) {
                commandsRun.remove(id); // the result did not arrive: it will be offered again
            }
            LOG.info("event=command id={} name={} status={} reported={}", id, name, report.path("status").asText(),
                    reported);
        }
    }

    private void setInterval(Duration interval) {
        config = config.withInterval(interval);
        try {
            Path file = config.state().resolve(OVERRIDES);
            Path temp = config.state().resolve(OVERRIDES + ".tmp");
            Files.writeString(temp, "interval=" + Durations.format(interval) + "\n");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("event=interval-not-saved reason=\"{}\"", e.getMessage());
        }
        LOG.info("event=interval-changed interval={}", Durations.format(interval));
    }

    private void checkFirmware(long now) throws IOException {
        if (config.firmwareHook() == null || now - lastFirmwareCheck < config.firmwareCheck().toMillis()) {
            return;
        }
        lastFirmwareCheck = now;
        String[] parts = running.split(":");
        try {
            FirmwareUpdate.Result result = new FirmwareUpdate(client, signerKey(), config.firmwareHook(),
                    config.state()).run(parts[0], Long.parseLong(parts[1]));
            LOG.info("event=firmware outcome={} detail=\"{}\"", result.outcome(), result.message());
            if (result.outcome() == FirmwareUpdate.Outcome.INSTALLED) {
                running = result.version() + ":" + result.sequence();
                runningDigest = result.digest();
                Path temp = config.state().resolve(RUNNING_FILE + ".tmp");
                Files.writeString(temp, running + ":" + runningDigest + "\n");
                Files.move(temp, config.state().resolve(RUNNING_FILE), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The firmware this device runs: what the last install recorded, else the configured factory version. */
    private static String[] runningFirmware(AgentConfig config) throws IOException {
        Path file = config.state().resolve(RUNNING_FILE);
        if (Files.exists(file)) {
            String[] parts = Files.readString(file).strip().split(":");
            if (parts.length == 3) {
                return new String[] {parts[0] + ":" + parts[1], null, parts[2]};
            }
        }
        return new String[] {config.running()};
    }

    private PublicKey signerKey() throws IOException {
        return DeviceKeys.readPublicKey(config.state().resolve(Enrollment.FIRMWARE_KEY_FILE));
    }

    private KeyRotator rotator() throws IOException {
        return new KeyRotator(config.state(), config.server(), DeviceKeys.readPublicKey(config.serverKey()),
                config.timeout().toMillis());
    }

    private void openClient() throws IOException {
        client = new DeviceClient(config.server(), DeviceKeys.load(config.state()),
                DeviceKeys.readPublicKey(config.serverKey())).timeout(config.timeout().toMillis());
        status.newClient();
    }

    private void closeClient() {
        cancelObservation();
        if (client != null) {
            status.traffic(client.traffic(), Instant.now());
            client.close();
            client = null;
        }
    }

    private void writeStatus() {
        try {
            status.write(config.state(), queue, config, observation != null && !observation.isCanceled(),
                    config.firmwareHook() == null ? null : running, Instant.now());
        } catch (IOException | RuntimeException e) {
            LOG.warn("event=status-not-written reason=\"{}\"", e.getMessage());
        }
    }

    private void stop() {
        closeClient();
        stopped.countDown();
    }

    /**
     * Ends a run as a bounded one ends: one more round, then sending until the queue is empty (for at most three
     * times timeout plus longest backoff), then {@link #run(int)} returns. For {@code vigil-device simulate}.
     */
    public void finishAfterNextRound() {
        thread.execute(() -> ticksLeft = 1);
    }

    /** Stops the agent and closes its queue; once (a shutdown hook and the run's own close may both call it). */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        thread.execute(this::stop);
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
        queue.close();
    }
}
