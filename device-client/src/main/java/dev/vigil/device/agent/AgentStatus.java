package dev.vigil.device.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.device.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * What the agent tells about itself in {@code STATE/agent-status.json}, rewritten (atomically, not fsync'd: it
 * is a report, not a record) after every round: queue depth, last success, the day's (UTC) handshakes, bytes
 * and readings, the session's age. {@code vigil-device status} prints it.
 */
public final class AgentStatus {

    static final String FILE = "agent-status.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Instant started;
    private LocalDate day;
    private long fullHandshakes;
    private long resumedHandshakes;
    private long bytesSent;
    private long bytesReceived;
    private long requests;
    private long readingsSent;
    private long rejected;
    private Instant lastSuccess;
    private Instant lastAttempt;
    private String lastOutcome = "none yet";
    private Instant sessionSince;
    private String standing = "unknown";
    private long trafficBytesSent;
    private long trafficBytesReceived;
    private long trafficFull;
    private long trafficResumed;

    AgentStatus(Instant started) {
        this.started = started;
        this.day = LocalDate.ofInstant(started, ZoneOffset.UTC);
    }

    /** Takes in what a client counted since the last call (a new client starts from zero: call {@link #newClient}). */
    void traffic(Traffic traffic, Instant now) {
        rollDay(now);
        long full = traffic.fullHandshakes() - trafficFull;
        long resumed = traffic.resumedHandshakes() - trafficResumed;
        if (full + resumed > 0) {
            sessionSince = now;
        }
        fullHandshakes += full;
        resumedHandshakes += resumed;
        bytesSent += traffic.bytesSent() - trafficBytesSent;
        bytesReceived += traffic.bytesReceived() - trafficBytesReceived;
        trafficFull = traffic.fullHandshakes();
        trafficResumed = traffic.resumedHandshakes();
        trafficBytesSent = traffic.bytesSent();
        trafficBytesReceived = traffic.bytesReceived();
    }

    void newClient() {
        trafficBytesSent = 0;
        trafficBytesReceived = 0;
        trafficFull = 0;
        trafficResumed = 0;
    }

    void attempt(Instant now, String outcome) {
        rollDay(now);
        requests++;
        lastAttempt = now;
        lastOutcome = outcome;
    }

    void sent(Instant now, int readings) {
        readingsSent += readings;
        lastSuccess = now;
        standing = "ok";
    }

    void rejected(int readings) {
        rejected += readings;
    }

    void standing(String text) {
        standing = text;
    }

    long fullHandshakesToday() {
        return fullHandshakes;
    }

    private void rollDay(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!today.equals(day)) {
            day = today;
            fullHandshakes = 0;
            resumedHandshakes = 0;
            bytesSent = 0;
            bytesReceived = 0;
            requests = 0;
            readingsSent = 0;
        }
    }

    void write(Path state, ReadingQueue queue, AgentConfig config, boolean observing, String firmware, Instant now)
            throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("started", started.toString()).put("now", now.toString()).put("server", config.server().toString())
                .put("interval", Durations.format(config.interval())).put("standing", standing)
                .put("queueDepth", queue.depth()).put("queuedBytes", queue.queuedBytes())
                .put("droppedWhenFull", queue.dropped()).put("rejectedByServer", rejected)
                .put("nextSeq", queue.nextSeq())
                .put("lastSuccess", lastSuccess == null ? null : lastSuccess.toString())
                .put("lastAttempt", lastAttempt == null ? null : lastAttempt.toString()).put("lastOutcome", lastOutcome)
                .put("sessionSince", sessionSince == null ? null : sessionSince.toString())
                .put("observingCommands", observing).put("firmware", firmware);
        json.putObject("today").put("day", day.toString()).put("fullHandshakes", fullHandshakes)
                .put("resumedHandshakes", resumedHandshakes).put("bytesSent", bytesSent)
                .put("bytesReceived", bytesReceived).put("requests", requests).put("readingsSent", readingsSent);
        Path temp = state.resolve(FILE + ".tmp");
        Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        Files.move(temp, state.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The last status an agent wrote in {@code state}. */
    public static JsonNode read(Path state) throws IOException {
        Path file = state.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IOException("no agent status in " + state + ": has 'vigil-device run' run there?");
        }
        if (Files.size(file) > 64 * 1024) {
            throw new IOException(file + ": larger than 64 KiB; not an agent status");
        }
        return JSON.readTree(file.toFile());
    }
}
