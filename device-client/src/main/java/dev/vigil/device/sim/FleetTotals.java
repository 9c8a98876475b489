package dev.vigil.device.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A simulated fleet's counts, summed over its devices' agent status files (and the relay's counters): readings
 * taken and acknowledged in this run, readings still queued, handshakes and UDP payload bytes of this run.
 * {@code dropped} is -1 without a relay.
 */
public record FleetTotals(int devices, long taken, long acknowledged, long queued, long fullHandshakes,
        long resumedHandshakes, long bytesUp, long bytesDown, long droppedUp, long droppedDown) {

    static final FleetTotals NONE = new FleetTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Adds one device: {@code status} is what its agent of this run last wrote (null if it has written nothing
     * yet), {@code firstSeq} the number its queue would have given next when the run began, {@code queuedBefore}
     * the readings queued then.
     */
    FleetTotals plus(JsonNode status, long firstSeq, long queuedBefore) {
        if (status == null) {
            return new FleetTotals(devices + 1, taken, acknowledged, queued + queuedBefore, fullHandshakes,
                    resumedHandshakes, bytesUp, bytesDown, droppedUp, droppedDown);
        }
        JsonNode today = status.path("today");
        return new FleetTotals(devices + 1, taken + Math.max(0, status.path("nextSeq").asLong() - firstSeq),
                acknowledged + today.path("readingsSent").asLong(), queued + status.path("queueDepth").asLong(),
                fullHandshakes + today.path("fullHandshakes").asLong(),
                resumedHandshakes + today.path("resumedHandshakes").asLong(),
                bytesUp + today.path("bytesSent").asLong(), bytesDown + today.path("bytesReceived").asLong(),
                droppedUp, droppedDown);
    }

    FleetTotals dropped(LossyRelay relay) {
        return relay == null ? withDropped(-1, -1) : withDropped(relay.droppedUp(), relay.droppedDown());
    }

    private FleetTotals withDropped(long up, long down) {
        return new FleetTotals(devices, taken, acknowledged, queued, fullHandshakes, resumedHandshakes, bytesUp,
                bytesDown, up, down);
    }

    public long dropped() {
        return droppedUp < 0 ? -1 : droppedUp + droppedDown;
    }

    /** One progress line. */
    public String progressLine(Duration elapsed) {
        return String.format(Locale.ROOT, "[%5ds] %d devices: taken %d, acknowledged %d, queued %d, handshakes %d full"
                + " + %d resumed, up %s, down %s%s", elapsed.toSeconds(), devices, taken, acknowledged, queued,
                fullHandshakes, resumedHandshakes, bytes(bytesUp), bytes(bytesDown),
                dropped() < 0 ? "" : ", dropped " + dropped());
    }

    /** The final summary, a few aligned lines. */
    public void printSummary(PrintWriter out, Duration elapsed) {
        out.printf(Locale.ROOT, "devices                %d (ran %.1f s)%n", devices, elapsed.toMillis() / 1000.0);
        out.printf(Locale.ROOT, "readings taken         %d%n", taken);
        out.printf(Locale.ROOT, "readings acknowledged  %d (stored by the server)%n", acknowledged);
        out.printf(Locale.ROOT, "still queued           %d (on disk; sent by the next run)%n", queued);
        out.printf(Locale.ROOT, "handshakes             %d full, %d resumed%n", fullHandshakes, resumedHandshakes);
        out.printf(Locale.ROOT, "UDP bytes              %d up, %d down%n", bytesUp, bytesDown);
        out.printf(Locale.ROOT, "datagrams dropped      %s%n", dropped() < 0 ? "none (no --loss relay)"
                : dropped() + " (" + droppedUp + " up, " + droppedDown + " down)");
    }

    private static String bytes(long n) {
        return n < 10 * 1024 ? n + " B" : n < 10L * 1024 * 1024 ? n / 1024 + " KiB" : n / (1024 * 1024) + " MiB";
    }
}
