package dev.vigil.provisioning;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events (handshake failures, denials, tombstoned keys seen, refused enrollments, trust
 * changes) in a bounded in-memory ring: a flood of bad handshakes costs memory of fixed size and no
 * database writes. Each event is also one line on the {@code vigil.audit} log channel.
 */
public final class SecurityEvents {

    /** One event; {@code seq} increases by one per event since the server started. */
    public record Event(long seq, Instant at, String type, String subject, String detail) {
    }

    private static final Logger LOG = LoggerFactory.getLogger("vigil.audit");

    private final Event[] ring;
    private long next = 1;

    public SecurityEvents(int capacity) {
        this.ring = new Event[capacity];
    }

    public synchronized Event record(String type, String subject, String detail) {
        Event event = new Event(next, Instant.now(), type, subject, detail);
        ring[(int) (next % ring.length)] = event;
        next++;
        LOG.info("event type={} subject={} detail=\"{}\"", type, subject, detail);
        return event;
    }

    /** Events after {@code afterSeq} still in the ring, oldest first, at most {@code limit}. */
    public synchronized List<Event> since(long afterSeq, int limit) {
        long first = Math.max(afterSeq + 1, Math.max(1, next - ring.length));
        List<Event> events = new ArrayList<>();
        for (long seq = first; seq < next && events.size() < limit; seq++) {
            events.add(ring[(int) (seq % ring.length)]);
        }
        return events;
    }

    /** The newest {@code limit} events, oldest first. */
    public synchronized List<Event> tail(int limit) {
        return since(Math.max(0, next - 1 - limit), limit);
    }

    public synchronized long count() {
        return next - 1;
    }
}
