package dev.vigil.provisioning.audit;

import dev.vigil.provisioning.Printable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events (handshake failures, denials, tombstoned keys seen, refused enrollments, trust
 * changes) in a bounded in-memory ring: a flood of bad handshakes costs memory of fixed size and no
 * database writes. Each event is also one line on the {@code vigil.audit} log channel, its peer-supplied
 * fields escaped ({@link Printable}).
 *
 * <p>With {@link #persistTo} the events are also written to the database ({@link #save}, each second), so they
 * survive a restart; the ring is reloaded from there at start.
 *
 * <p>Floods are aggregated per type: in each {@link #WINDOW} the first {@link #PER_WINDOW} events of a type
 * are kept one by one, the rest are counted and become one event when the window closes ("412 more
 * handshake-refused in 10 s from 397 subjects, e.g. ..."). So cycling source addresses cannot flush the
 * ring: a flood of one type adds at most {@code PER_WINDOW + 1} events per window.
 */
public final class SecurityEvents {

    /** One event; {@code seq} increases by one per event since the server started; {@code count} > 1 for a summary. */
    public record Event(long seq, Instant at, String type, String subject, String detail, long count) {
    }

    static final Duration WINDOW = Duration.ofSeconds(10);
    static final int PER_WINDOW = 10;
    /** Distinct subjects counted exactly per summary; beyond, "at least". */
    private static final int MAX_DISTINCT = 1000;
    private static final int SAMPLES = 3;
    private static final Logger LOG = LoggerFactory.getLogger("vigil.audit");

    /** The current window of one type: how many were kept, and what was only counted. */
    private static final class Window {
        final Instant start;
        int kept;
        long counted;
        final Set<String> subjects = new HashSet<>();
        final List<String> samples = new ArrayList<>();

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Event[] ring;
    private final Clock clock;
    /** Events not yet in the database, oldest first; bounded like the ring. */
    private final java.util.ArrayDeque<Event> unsaved = new java.util.ArrayDeque<>();
    private EventStore store;
    private final Map<String, Window> windows = new HashMap<>();
    /** Every event recorded since start, by type (flood summaries included): for metrics. */
    private final Map<String, Long> totals = new HashMap<>();
    private long next = 1;
    private long recorded;

    public SecurityEvents(int capacity) {
        this(capacity, Clock.systemUTC());
    }

    public SecurityEvents(int capacity, Clock clock) {
        this.ring = new Event[capacity];
        this.clock = clock;
    }

    /**
     * Makes the events durable: loads the newest stored ones into the ring (numbering goes on from them),
     * and from now on {@link #save} writes what was recorded since.
     */
    public synchronized void persistTo(EventStore store) {
        List<Event> stored = store.newest(ring.length);
        for (Event event : stored) {
            ring[(int) (event.seq() % ring.length)] = event;
            next = event.seq() + 1;
        }
        this.store = store;
    }

    /** Writes the events recorded since the last save to the database (periodically, and at a clean stop). */
    public void save() {
        List<Event> batch;
        synchronized (this) {
            flush();
            if (store == null || unsaved.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(unsaved);
            unsaved.clear();
        }
        store.append(batch);
    }

    /** Records an event, or counts it into its type's summary if the type is flooding. */
    public synchronized void record(String type, String subject, String detail) {
        recorded++;
        totals.merge(type, 1L, Long::sum);
        Instant now = clock.instant();
        closeWindows(now);
        Window window = windows.computeIfAbsent(type, t -> new Window(now));
        if (window.kept < PER_WINDOW) {
            window.kept++;
            add(now, Printable.escape(type), Printable.escape(subject), Printable.escape(detail), 1);
            return;
        }
        window.counted++;
        String safe = Printable.escape(subject);
        if (window.subjects.size() < MAX_DISTINCT && window.subjects.add(safe) && window.samples.size() < SAMPLES) {
            window.samples.add(safe);
        }
    }

    /** How many events of each type were recorded since start (types are the code's own words, few). */
    public synchronized Map<String, Long> totalsByType() {
        return new HashMap<>(totals);
    }

    /** Emits the summaries of windows that have ended (called periodically, and before every read). */
    public synchronized void flush() {
        closeWindows(clock.instant());
    }

    /** Events after {@code afterSeq} still in the ring, oldest first, at most {@code limit}. */
    public synchronized List<Event> since(long afterSeq, int limit) {
        flush();
        long first = Math.max(afterSeq + 1, Math.max(1, next - ring.length));
        List<Event> events = new ArrayList<>();
        for (long seq = first; seq < next && events.size() < limit; seq++) {
            events.add(ring[(int) (seq % ring.length)]);
        }
        return events;
    }

    /** The newest {@code limit} events, oldest first. */
    public synchronized List<Event> tail(int limit) {
        flush();
        return since(Math.max(0, next - 1 - limit), limit);
    }

    /** Events recorded since start, those counted into summaries included. */
    public synchronized long count() {
        return recorded;
    }

    private void closeWindows(Instant now) {
        var it = windows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Window> entry = it.next();
            Window window = entry.getValue();
            if (now.isBefore(window.start.plus(WINDOW))) {
                continue;
            }
            it.remove();
            if (window.counted > 0) {
                String distinct = window.subjects.size() >= MAX_DISTINCT ? "at least " + MAX_DISTINCT
                        : Integer.toString(window.subjects.size());
                add(now, entry.getKey(), "(" + distinct + " subjects)", window.counted + " more " + entry.getKey()
                        + " in " + WINDOW.toSeconds() + " s, e.g. " + String.join(", ", window.samples), window.counted);
            }
        }
    }

    /** Already escaped text, with its double quotes escaped too, for a quoted log field. */
    private static String quoted(String escaped) {
        return escaped == null ? "" : escaped.replace("\"", "\\\"");
    }

    private void add(Instant at, String type, String subject, String detail, long count) {
        Event event = new Event(next, at, type, subject, detail, count);
        ring[(int) (next % ring.length)] = event;
        next++;
        if (store != null) {
            if (unsaved.size() == ring.length) {
                unsaved.removeFirst(); // the database is further behind than the ring reaches: keep the newest
            }
            unsaved.addLast(event);
        }
        LOG.info("event type={} subject=\"{}\" detail=\"{}\" count={}", quoted(type), quoted(subject), quoted(detail),
                count);
    }
}
