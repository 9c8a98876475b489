package dev.vigil.device.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent's offline queue of readings, on disk: every measurement is appended (and fsync'd) before it is
 * sent, and removed only when the server has acknowledged it. Each reading gets a per-device sequence number,
 * monotonic and never reused (also across restarts and after the queue was emptied), by which the server drops
 * replays. The queue is bounded by bytes: when full, the oldest readings are dropped and counted.
 *
 * <h2>Files (in the queue's directory, created 0700; files 0600)</h2>
 * <ul>
 *   <li>{@value #LOG_FILE}: an 8-byte header ({@code "VIGILQ"} and format version 1 as a big-endian u16), then
 *   append-only entries, big-endian: {@code u16 n} (the length of what follows up to the CRC), {@code i64 seq},
 *   {@code i64 timeMillis}, {@code f64 value}, {@code u8} name length and the name (ASCII), {@code u8} unit length
 *   (0: no unit) and the unit (UTF-8), then {@code u32} CRC-32 of everything before it in the entry. An entry is
 *   {@value #ENTRY_OVERHEAD} bytes plus its name and unit: 39 bytes for {@code temp} in {@code Cel}, at most
 *   {@value #MAX_ENTRY_BYTES}. Sequence numbers rise strictly from entry to entry.</li>
 *   <li>{@value #STATE_FILE}: 36 bytes, {@code "VIGILS"}, version u16, {@code i64} removed-through (every reading with
 *   a sequence number at or below it is acknowledged or dropped), {@code i64} dropped count, {@code i64} floor (the
 *   highest number {@link #skipTo} was given), {@code u32} CRC-32. Replaced whole: written to
 *   {@code queue.state.tmp}, fsync'd, renamed over, the directory fsync'd.</li>
 *   <li>{@value #LOCK_FILE}: locked while the queue is open, so two agents cannot share a directory.</li>
 * </ul>
 *
 * <h2>Durability</h2>
 * {@link #append} writes the entries at the end of the log and fsyncs it ({@code fdatasync}) before it returns: one
 * fsync per call, whatever the number of readings in it. When the new entries do not fit, the state file recording
 * the oldest readings as dropped is written first, then the log. {@link #ack} and {@link #skipTo} write the state file
 * (its fsync, the rename, the directory's fsync). Nothing is removed from the log by an acknowledgement; the acked
 * prefix is skipped when the log is read.
 *
 * <p>On {@link #open}, the log is read from the start. An entry cut short or failing its CRC ends the log when nothing
 * valid follows it (a crash or power loss in the middle of an append, which had not returned): the file is truncated
 * there. If valid entries with higher numbers follow (damage in the middle of the file), they are kept, the damaged
 * bytes are rewritten away and a warning names the sequence numbers between which readings were lost: truncating
 * there would lose readings and could hand out numbers the server has seen already. The next sequence number is
 * one above the highest of the last entry's, removed-through and the floor, so no number that an {@code append} has
 * returned is ever handed out again, even when the log is empty. (A number from an append that failed or was cut off
 * by a crash may be handed out again: it was never returned, so never sent.)
 *
 * <h2>Compaction</h2>
 * When the acknowledged (or dropped) prefix of the log is over {@value #COMPACT_MIN_BYTES} bytes and larger than the
 * readings still queued, the queued entries are written to {@code queue.log.tmp}, fsync'd and renamed over the log
 * (an emptied queue costs only the header). The log file is so at most 8 bytes + queued + max(64 KiB, queued). A
 * compaction that fails is logged and retried at the next acknowledgement; it loses nothing.
 *
 * <h2>Memory</h2>
 * The queued entries are kept in memory exactly as they are on disk (so {@link #oldest} reads no file and
 * compaction writes from memory): {@link #queuedBytes()} bytes, at most {@code maxBytes} plus a quarter of it as room
 * to append into (1.25 MiB at the default 1 MiB, about 26,900 readings of {@code temp}/{@code Cel}); the buffer
 * shrinks back to 4 KiB when the queue empties. Nothing else grows with the queue.
 *
 * <h2>Failures</h2>
 * Invalid input ({@link Measurement} refuses it; a batch larger than the queue) is an {@link IllegalArgumentException}
 * and writes nothing. An I/O error makes the call throw with nothing acknowledged or dropped; an append that fails has
 * its partial entries truncated away, and if even that fails the queue refuses further changes until it is reopened.
 * A thread interrupted during a write closes the log's channel (NIO): reopen the queue.
 *
 * <p>Methods are synchronized; one queue per directory per machine (the lock file).
 */
public final class ReadingQueue implements AutoCloseable {

    /** The default bound: 1 MiB of queued entries. */
    public static final long DEFAULT_MAX_BYTES = 1L << 20;
    /** The log's name in the queue directory. */
    public static final String LOG_FILE = "queue.log";
    /** The state file's name in the queue directory. */
    public static final String STATE_FILE = "queue.state";
    /** The lock file's name in the queue directory. */
    public static final String LOCK_FILE = "queue.lock";
    /** Bytes of an entry besides its name and unit. */
    public static final int ENTRY_OVERHEAD = 32;
    /** The largest entry: a 64-character name and a 32-character unit of 3-byte characters. */
    public static final int MAX_ENTRY_BYTES = ENTRY_OVERHEAD + Measurement.MAX_NAME_LENGTH + 3 * Measurement.MAX_UNIT_LENGTH;
    /** The smallest bound: one entry of any size fits. */
    public static final long MIN_MAX_BYTES = MAX_ENTRY_BYTES;
    /** The largest bound: the queued entries are held in memory too. */
    public static final long MAX_MAX_BYTES = 64L << 20;
    /** Compaction waits for an acknowledged prefix above this many bytes. */
    static final int COMPACT_MIN_BYTES = 64 * 1024;
    static final int HEADER_BYTES = 8;

    private static final Logger LOG = LoggerFactory.getLogger(ReadingQueue.class);
    private static final byte[] LOG_HEADER = {'V', 'I', 'G', 'I', 'L', 'Q', 0, 1};
    private static final byte[] STATE_MAGIC = {'V', 'I', 'G', 'I', 'L', 'S', 0, 1};
    private static final int STATE_BYTES = 36;
    /** seq, time, value, name length, unit length. */
    private static final int MIN_BODY = 26;
    private static final int MAX_BODY = MAX_ENTRY_BYTES - 6;
    private static final int INITIAL_BUFFER = 4096;
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);

    private final Path dir;
    private final Path logPath;
    private final Path statePath;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private FileChannel log;
    /** The log's length: where the next entry goes. */
    private long logEnd;
    /** The queued (unacknowledged) entries, as in the log: mem[memStart, memEnd). */
    private byte[] mem = new byte[INITIAL_BUFFER];
    private int memStart;
    private int memEnd;
    private int depth;
    private long removedThrough;
    private long dropped;
    private long floor;
    /** The highest sequence number durably appended to the log (0: none). */
    private long lastLogSeq;
    private long nextSeq;
    private IOException broken;
    private boolean closed;

    private ReadingQueue(Path dir, long maxBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.logPath = dir.resolve(LOG_FILE);
        this.statePath = dir.resolve(STATE_FILE);
        this.maxBytes = maxBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens the queue in {@code dir}, creating the directory (0700 where POSIX) and the queue if missing; repairs a
     * log cut short by a crash.
     *
     * @param maxBytes the bound on queued entries, from {@link #MIN_MAX_BYTES} to {@link #MAX_MAX_BYTES}; reopening
     *                 with a smaller bound drops (and counts) the oldest readings that no longer fit
     * @throws IOException naming the file, if the directory cannot be written, the log is not a queue log, the state
     *                     file is damaged or missing beside a log, or the queue is open elsewhere
     */
    public static ReadingQueue open(Path dir, long maxBytes) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES) {
            throw new IllegalArgumentException("a reading queue holds " + MIN_MAX_BYTES + " to " + MAX_MAX_BYTES
                    + " bytes, not " + maxBytes);
        }
        createDirectory(dir);
        Path lockPath = dir.resolve(LOCK_FILE);
        FileChannel lockChannel;
        try {
            lockChannel = FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    privateFile(dir));
        } catch (IOException e) {
            throw failure("cannot open", lockPath, e);
        }
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            lockChannel.close();
            throw failure("cannot lock", lockPath, e);
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("reading queue " + dir + " is open already (" + lockPath
                    + " is locked by another process or queue)");
        }
        ReadingQueue queue = new ReadingQueue(dir, maxBytes, lockChannel, lock);
        try {
            queue.load();
        } catch (IOException | RuntimeException | Error e) {
            queue.closeQuietly();
            throw e;
        }
        return queue;
    }

    /** The bytes {@code m} takes in the queue ({@link #queuedBytes()} grows by this much when it is appended). */
    public static int entryBytes(Measurement m) {
        return ENTRY_OVERHEAD + m.name().length()
                + (m.unit() == null ? 0 : m.unit().getBytes(StandardCharsets.UTF_8).length);
    }

    /**
     * Assigns the next sequence numbers to {@code measurements}, in order, writes them and fsyncs: they are durable
     * when this returns. If they do not fit, the oldest queued readings are dropped first (and counted in
     * {@link #dropped()}).
     *
     * @return the readings as queued, with their sequence numbers
     * @throws IllegalArgumentException if the measurements alone are larger than the queue (nothing is written)
     * @throws IOException if they could not be made durable (their sequence numbers are not handed out again in this
     *                     run; nothing was dropped, unless a state write before the failure said so)
     */
    public synchronized List<QueuedReading> append(List<Measurement> measurements) throws IOException {
        checkWritable();
        if (measurements.isEmpty()) {
            return List.of();
        }
        int count = measurements.size();
        long batchBytes = 0;
        for (Measurement m : measurements) {
            batchBytes += entryBytes(Objects.requireNonNull(m, "a measurement is null"));
        }
        if (batchBytes > maxBytes) {
            throw new IllegalArgumentException(count + " readings take " + batchBytes
                    + " bytes, more than the queue holds (" + maxBytes + ")");
        }
        if (nextSeq > Long.MAX_VALUE - count) {
            throw new IllegalStateException("sequence numbers are exhausted in " + logPath);
        }
        byte[] batch = new byte[(int) batchBytes];
        List<QueuedReading> readings = new ArrayList<>(count);
        int at = 0;
        for (Measurement m : measurements) {
            QueuedReading reading = new QueuedReading(nextSeq + readings.size(), m);
            at += encode(reading, batch, at);
            readings.add(reading);
        }

        // make room first: the state saying what is dropped is durable before the new entries are
        int dropStart = memStart;
        int dropCount = 0;
        long dropThrough = removedThrough;
        while (memEnd - dropStart + batchBytes > maxBytes) {
            dropThrough = seqAt(dropStart);
            dropStart += entryLength(dropStart);
            dropCount++;
        }
        if (dropCount > 0) {
            writeState(dropThrough, dropped + dropCount, floor);
            removedThrough = dropThrough;
            dropped += dropCount;
            removeHead(dropStart, dropCount);
        }

        try {
            writeFully(log, ByteBuffer.wrap(batch), logEnd);
            log.force(false);
        } catch (IOException e) {
            nextSeq += count; // never hand these numbers out again in this run: some may be on disk
            try {
                log.truncate(logEnd);
                log.force(true);
            } catch (IOException | RuntimeException t) {
                e.addSuppressed(t);
                broken = e;
            }
            throw new IOException("cannot append to " + logPath + ": " + describe(e), e);
        }
        logEnd += batchBytes;
        lastLogSeq = nextSeq + count - 1;
        nextSeq += count;
        ensureRoom(batch.length);
        System.arraycopy(batch, 0, mem, memEnd, batch.length);
        memEnd += batch.length;
        depth += count;
        maybeCompact();
        return List.copyOf(readings);
    }

    /** The oldest queued (unacknowledged) readings, at most {@code max}, in sequence order. Reads no file. */
    public synchronized List<QueuedReading> oldest(int max) {
        checkOpen();
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        List<QueuedReading> out = new ArrayList<>(Math.min(max, depth));
        for (int p = memStart; p < memEnd && out.size() < max; p += entryLength(p)) {
            out.add(decode(mem, p));
        }
        return out;
    }

    /**
     * Removes every reading with a sequence number at or below {@code throughSeq}; durable when it returns.
     * Idempotent: a number at or below what is acknowledged already changes nothing and writes nothing.
     *
     * @throws IllegalArgumentException if {@code throughSeq} was never handed out ({@code >= nextSeq()})
     */
    public synchronized void ack(long throughSeq) throws IOException {
        checkWritable();
        if (throughSeq <= removedThrough) {
            return;
        }
        if (throughSeq >= nextSeq) {
            throw new IllegalArgumentException("cannot acknowledge through " + throughSeq
                    + ": the highest sequence number handed out is " + (nextSeq - 1));
        }
        int p = memStart;
        int count = 0;
        while (p < memEnd && seqAt(p) <= throughSeq) {
            p += entryLength(p);
            count++;
        }
        writeState(throughSeq, dropped, floor);
        removedThrough = throughSeq;
        removeHead(p, count);
        maybeCompact();
    }

    /**
     * The server holds readings up to {@code seq} (say, this device was restored from an old backup): appends from
     * now on get numbers above it. Durable when it returns; a number the queue is above already changes nothing.
     * Readings queued already keep their numbers: the queue cannot tell those the server holds (sent before the
     * backup was restored) from those it dropped as replays; that is the caller's to decide ({@link #ack} removes).
     */
    public synchronized void skipTo(long seq) throws IOException {
        checkWritable();
        if (seq < 0 || seq == Long.MAX_VALUE) {
            throw new IllegalArgumentException("cannot skip to " + seq);
        }
        if (seq <= Math.max(floor, Math.max(removedThrough, lastLogSeq))) {
            return; // the files keep the next number above it already
        }
        writeState(removedThrough, dropped, seq);
        floor = seq;
        nextSeq = Math.max(nextSeq, seq + 1);
    }

    /** Queued (unacknowledged) readings. */
    public synchronized int depth() {
        return depth;
    }

    /** Bytes of the queued entries in the log (at most the bound). */
    public synchronized long queuedBytes() {
        return memEnd - memStart;
    }

    /** Readings dropped because the queue was full, ever (durable). */
    public synchronized long dropped() {
        return dropped;
    }

    /** The sequence number the next appended reading gets. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /** The bound this queue was opened with. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The queue's directory. */
    public Path directory() {
        return dir;
    }

    /** Closes the files and releases the directory. Everything appended or acknowledged is durable already. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (AutoCloseable c : new AutoCloseable[] {log, lock, lockChannel}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "ReadingQueue[" + dir + "]";
    }

    // ---- opening

    private static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            if (!Files.isWritable(dir)) {
                throw new IOException("reading queue directory " + dir + " is not writable");
            }
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(dir)) {
            throw new IOException("reading queue directory " + dir + " exists and is not a directory");
        }
        try {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw failure("cannot create the reading queue directory", dir, e);
        }
    }

    private void load() throws IOException {
        for (Path leftover : new Path[] {tmp(logPath), tmp(statePath)}) {
            try {
                Files.deleteIfExists(leftover); // a crash mid-write left it; the real file is intact
            } catch (IOException e) {
                throw failure("cannot remove", leftover, e);
            }
        }
        boolean logExists = Files.exists(logPath, LinkOption.NOFOLLOW_LINKS);
        if (logExists) {
            try {
                log = FileChannel.open(logPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw failure("cannot open", logPath, e);
            }
            checkHeader();
        }
        if (Files.exists(statePath, LinkOption.NOFOLLOW_LINKS)) {
            readState();
        } else if (logExists) {
            throw new IOException(statePath + " is missing beside " + logPath
                    + ": without it the queue cannot tell which readings were acknowledged or which sequence numbers"
                    + " were used; restore it, or remove the queue directory (and let the server's skipTo renumber)");
        } else {
            writeState(0, 0, 0);
        }
        if (!logExists) {
            createLog();
        }
        scan();
    }

    private void checkHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        try {
            while (header.hasRemaining() && log.read(header, header.position()) > 0) {
                // read on
            }
        } catch (IOException e) {
            throw failure("cannot read", logPath, e);
        }
        byte[] bytes = header.array();
        if (header.hasRemaining() || !Arrays.equals(bytes, 0, 6, LOG_HEADER, 0, 6)) {
            throw new IOException(logPath + " is not a reading queue log (it does not start with the queue header)");
        }
        if (!Arrays.equals(bytes, LOG_HEADER)) {
            throw new IOException(logPath + " is a reading queue log of format " + u16(bytes, 6)
                    + ", which this version does not read (it reads format " + u16(LOG_HEADER, 6) + ")");
        }
    }

    private void createLog() throws IOException {
        Path tmp = tmp(logPath);
        FileChannel channel;
        try {
            channel = FileChannel.open(tmp, CREATE_NEW, privateFile(dir));
        } catch (IOException e) {
            throw failure("cannot create", tmp, e);
        }
        try {
            writeFully(channel, ByteBuffer.wrap(LOG_HEADER), 0);
            channel.force(true);
            Files.move(tmp, logPath, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            channel.close();
            throw failure("cannot create", logPath, e);
        }
        fsyncDirectory();
        log = channel;
    }

    /** Reads the log: keeps the queued entries, truncates a torn tail, rewrites damage in the middle away. */
    private void scan() throws IOException {
        long size;
        try {
            size = log.size();
        } catch (IOException e) {
            throw failure("cannot read", logPath, e);
        }
        LogReader reader = new LogReader(log, size);
        long pos = HEADER_BYTES;
        long lastSeq = 0;
        long truncateAt = -1;
        boolean damaged = false;
        int loadDrops = 0;
        long loadDropThrough = removedThrough;
        try {
            while (pos < size) {
                int length = entryAt(reader, pos, lastSeq);
                if (length < 0) {
                    long next = resync(reader, pos + 1, lastSeq);
                    if (next < 0) {
                        truncateAt = pos;
                        break;
                    }
                    long nextSeqThere = reader.getLong(next + 2);
                    if (nextSeqThere - 1 > removedThrough) {
                        LOG.warn("{}: {} damaged bytes at offset {} skipped; queued readings numbered {} to {} may be"
                                + " lost", logPath, next - pos, pos, Math.max(lastSeq, removedThrough) + 1,
                                nextSeqThere - 1);
                    } else {
                        LOG.info("{}: {} damaged bytes at offset {} skipped, among acknowledged readings", logPath,
                                next - pos, pos);
                    }
                    damaged = true;
                    pos = next;
                    continue;
                }
                long seq = reader.getLong(pos + 2);
                if (seq > removedThrough) {
                    ensureRoom(length);
                    reader.copy(pos, mem, memEnd, length);
                    memEnd += length;
                    depth++;
                    while (memEnd - memStart > maxBytes) { // reopened with a smaller bound
                        loadDropThrough = seqAt(memStart);
                        removeHead(memStart + entryLength(memStart), 1);
                        loadDrops++;
                    }
                }
                lastSeq = seq;
                pos += length;
            }
        } catch (IOException e) {
            throw failure("cannot read", logPath, e);
        }
        lastLogSeq = lastSeq;
        nextSeq = Math.max(lastSeq, Math.max(removedThrough, floor)) + 1;
        logEnd = size;
        if (truncateAt >= 0) {
            LOG.info("{}: {} bytes of an entry cut short (a crash during an append) truncated at offset {}",
                    logPath, size - truncateAt, truncateAt);
            try {
                log.truncate(truncateAt);
                log.force(true);
            } catch (IOException e) {
                throw failure("cannot truncate the torn end of", logPath, e);
            }
            logEnd = truncateAt;
        }
        if (loadDrops > 0) {
            writeState(loadDropThrough, dropped + loadDrops, floor);
            removedThrough = loadDropThrough;
            dropped += loadDrops;
        }
        if (damaged) {
            compact(); // a later scan must not meet the damage again
        } else {
            maybeCompact();
        }
    }

    /** The length of the valid entry at {@code pos} with a number above {@code lastSeq}, or -1. */
    private static int entryAt(LogReader reader, long pos, long lastSeq) throws IOException {
        if (!reader.fill(pos, 2)) {
            return -1;
        }
        int body = u16(reader.buffer(), reader.offset(pos));
        if (body < MIN_BODY || body > MAX_BODY) {
            return -1;
        }
        int length = 2 + body + 4;
        if (!reader.fill(pos, length)) {
            return -1;
        }
        byte[] a = reader.buffer();
        int o = reader.offset(pos);
        if (crc(a, o, 2 + body) != (int) getLong4(a, o + 2 + body)) {
            return -1;
        }
        int nameLength = a[o + 26] & 0xff;
        if (MIN_BODY + nameLength > body || MIN_BODY + nameLength + (a[o + 27 + nameLength] & 0xff) != body) {
            return -1;
        }
        QueuedReading reading;
        try {
            reading = decode(a, o);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        return reading.seq() > lastSeq ? length : -1;
    }

    /** The first offset from {@code from} where a valid entry numbered above {@code lastSeq} starts, or -1. */
    private static long resync(LogReader reader, long from, long lastSeq) throws IOException {
        for (long p = from; p + ENTRY_OVERHEAD <= reader.size(); p++) {
            if (entryAt(reader, p, lastSeq) > 0) {
                return p;
            }
        }
        return -1;
    }

    private void readState() throws IOException {
        byte[] bytes;
        try {
            long size = Files.size(statePath);
            if (size != STATE_BYTES) {
                throw new IOException(statePath + " is not a reading queue state file (it is " + size + " bytes, not "
                        + STATE_BYTES + ")");
            }
            bytes = Files.readAllBytes(statePath);
        } catch (FileSystemException e) {
            throw failure("cannot read", statePath, e);
        }
        if (bytes.length != STATE_BYTES || !Arrays.equals(bytes, 0, 8, STATE_MAGIC, 0, 8)
                || crc(bytes, 0, 32) != (int) getLong4(bytes, 32)) {
            throw new IOException(statePath + " is not a reading queue state file or is damaged (header or CRC wrong)");
        }
        long through = getLong(bytes, 8);
        long drops = getLong(bytes, 16);
        long skip = getLong(bytes, 24);
        if (through < 0 || drops < 0 || skip < 0) {
            throw new IOException(statePath + " holds a negative number: it is damaged");
        }
        removedThrough = through;
        dropped = drops;
        floor = skip;
    }

    // ---- writing

    /** Replaces the state file: temp file, fsync, atomic rename, directory fsync. Fields are the caller's to set. */
    private void writeState(long through, long drops, long skip) throws IOException {
        byte[] bytes = new byte[STATE_BYTES];
        System.arraycopy(STATE_MAGIC, 0, bytes, 0, 8);
        putLong(bytes, 8, through);
        putLong(bytes, 16, drops);
        putLong(bytes, 24, skip);
        putInt(bytes, 32, crc(bytes, 0, 32));
        Path tmp = tmp(statePath);
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel channel = FileChannel.open(tmp, CREATE_NEW, privateFile(dir))) {
                writeFully(channel, ByteBuffer.wrap(bytes), 0);
                channel.force(true);
            }
            Files.move(tmp, statePath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next open removes it
            }
            throw failure("cannot write", statePath, e);
        }
        fsyncDirectory();
    }

    private void maybeCompact() {
        long queued = memEnd - memStart;
        long prefix = logEnd - HEADER_BYTES - queued;
        if (prefix > COMPACT_MIN_BYTES && prefix > queued) {
            try {
                compact();
            } catch (IOException e) {
                LOG.warn("{}: compaction failed, will retry: {}", logPath, e.getMessage());
            }
        }
    }

    /** Rewrites the log as the header and the queued entries: temp file, fsync, atomic rename, directory fsync. */
    private void compact() throws IOException {
        Path tmp = tmp(logPath);
        FileChannel channel;
        try {
            Files.deleteIfExists(tmp);
            channel = FileChannel.open(tmp, CREATE_NEW, privateFile(dir));
        } catch (IOException e) {
            throw failure("cannot create", tmp, e);
        }
        try {
            writeFully(channel, ByteBuffer.wrap(LOG_HEADER), 0);
            writeFully(channel, ByteBuffer.wrap(mem, memStart, memEnd - memStart), HEADER_BYTES);
            channel.force(true);
            Files.move(tmp, logPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            channel.close();
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next open removes it
            }
            throw failure("cannot compact", logPath, e);
        }
        fsyncDirectory();
        FileChannel old = log;
        log = channel; // the renamed file: appends go on in it
        logEnd = HEADER_BYTES + (memEnd - memStart);
        try {
            old.close();
        } catch (IOException ignored) {
            // it is unlinked already
        }
    }

    /** Makes the directory's entries (renames) durable where the platform can; elsewhere the file system decides. */
    private void fsyncDirectory() {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not possible on some platforms (Windows); the rename is in place, only its durability is the system's
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    // ---- the in-memory copy of the queued entries

    /** Forgets the queued entries before {@code newStart} ({@code count} of them). */
    private void removeHead(int newStart, int count) {
        memStart = newStart;
        depth -= count;
        if (depth == 0) {
            memStart = 0;
            memEnd = 0;
            if (mem.length > COMPACT_MIN_BYTES) {
                mem = new byte[INITIAL_BUFFER];
            }
        }
    }

    /** Room for {@code n} more bytes at memEnd: moves the entries to the front or grows, up to maxBytes and a quarter. */
    private void ensureRoom(int n) {
        if (memEnd + n <= mem.length) {
            return;
        }
        int live = memEnd - memStart;
        int needed = live + n;
        byte[] target = mem;
        if (needed > mem.length) {
            long slack = Math.max(maxBytes / 4, INITIAL_BUFFER);
            long capacity = Math.max(needed, Math.min(2L * mem.length, maxBytes + slack));
            target = new byte[(int) capacity];
        }
        System.arraycopy(mem, memStart, target, 0, live);
        mem = target;
        memStart = 0;
        memEnd = live;
    }

    private int entryLength(int p) {
        return 2 + u16(mem, p) + 4;
    }

    private long seqAt(int p) {
        return getLong(mem, p + 2);
    }

    // ---- entries

    /** Writes the entry for {@code reading} at {@code off}; returns its length. */
    private static int encode(QueuedReading reading, byte[] out, int off) {
        Measurement m = reading.measurement();
        byte[] name = m.name().getBytes(StandardCharsets.US_ASCII);
        byte[] unit = m.unit() == null ? new byte[0] : m.unit().getBytes(StandardCharsets.UTF_8);
        int body = MIN_BODY + name.length + unit.length;
        out[off] = (byte) (body >>> 8);
        out[off + 1] = (byte) body;
        putLong(out, off + 2, reading.seq());
        putLong(out, off + 10, m.timeMillis());
        putLong(out, off + 18, Double.doubleToRawLongBits(m.value()));
        out[off + 26] = (byte) name.length;
        System.arraycopy(name, 0, out, off + 27, name.length);
        out[off + 27 + name.length] = (byte) unit.length;
        System.arraycopy(unit, 0, out, off + 28 + name.length, unit.length);
        putInt(out, off + 2 + body, crc(out, off, 2 + body));
        return 2 + body + 4;
    }

    /** The entry at {@code o}, whose lengths are known to be consistent. */
    private static QueuedReading decode(byte[] a, int o) {
        long seq = getLong(a, o + 2);
        long time = getLong(a, o + 10);
        double value = Double.longBitsToDouble(getLong(a, o + 18));
        int nameLength = a[o + 26] & 0xff;
        String name = new String(a, o + 27, nameLength, StandardCharsets.US_ASCII);
        int unitLength = a[o + 27 + nameLength] & 0xff;
        String unit = unitLength == 0 ? null : new String(a, o + 28 + nameLength, unitLength, StandardCharsets.UTF_8);
        return new QueuedReading(seq, new Measurement(name, value, unit, time));
    }

    private static int crc(byte[] a, int off, int length) {
        CRC32 crc = new CRC32();
        crc.update(a, off, length);
        return (int) crc.getValue();
    }

    private static int u16(byte[] a, int o) {
        return (a[o] & 0xff) << 8 | a[o + 1] & 0xff;
    }

    private static long getLong4(byte[] a, int o) {
        return (a[o] & 0xffL) << 24 | (a[o + 1] & 0xffL) << 16 | (a[o + 2] & 0xffL) << 8 | a[o + 3] & 0xffL;
    }

    private static long getLong(byte[] a, int o) {
        return getLong4(a, o) << 32 | getLong4(a, o + 4);
    }

    private static void putInt(byte[] a, int o, int v) {
        a[o] = (byte) (v >>> 24);
        a[o + 1] = (byte) (v >>> 16);
        a[o + 2] = (byte) (v >>> 8);
        a[o + 3] = (byte) v;
    }

    private static void putLong(byte[] a, int o, long v) {
        putInt(a, o, (int) (v >>> 32));
        putInt(a, o + 4, (int) v);
    }

    /** A window on the log for reading it from the start, once, at open. */
    private static final class LogReader {
        private final FileChannel channel;
        private final long size;
        private final byte[] window = new byte[64 * 1024];
        private long windowStart;
        private int windowLength;

        LogReader(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        long size() {
            return size;
        }

        /** Whether [pos, pos + n) is in the file; if so, it is in the window. */
        boolean fill(long pos, int n) throws IOException {
            if (pos + n > size) {
                return false;
            }
            if (pos >= windowStart && pos + n <= windowStart + windowLength) {
                return true;
            }
            ByteBuffer buffer = ByteBuffer.wrap(window);
            long at = pos;
            while (buffer.hasRemaining() && at < size) {
                int read = channel.read(buffer, at);
                if (read < 0) {
                    break;
                }
                at += read;
            }
            windowStart = pos;
            windowLength = buffer.position();
            return pos + n <= windowStart + windowLength;
        }

        byte[] buffer() {
            return window;
        }

        int offset(long pos) {
            return (int) (pos - windowStart);
        }

        /** A long at {@code pos}, within an entry already filled. */
        long getLong(long pos) throws IOException {
            fill(pos, 8);
            return ReadingQueue.getLong(window, offset(pos));
        }

        void copy(long pos, byte[] to, int at, int length) throws IOException {
            fill(pos, length);
            System.arraycopy(window, offset(pos), to, at, length);
        }
    }

    // ---- checks and messages

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("reading queue " + dir + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (broken != null) {
            throw new IOException("reading queue " + dir + " failed to undo a failed write and takes no more changes;"
                    + " reopen it", broken);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // failing already
        }
    }

    private static Path tmp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] privateFile(Path dir) {
        return posix(dir)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static IOException failure(String what, Path file, IOException e) {
        return new IOException(what + " " + file + ": " + describe(e), e);
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs) {
            return fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
