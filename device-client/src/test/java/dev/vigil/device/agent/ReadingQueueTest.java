package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadingQueueTest {

    /** The bytes of one {@link #temp} entry: 32 + "temp" + "Cel". */
    static final int TEMP_ENTRY = 39;
    static final int HEADER = 8;

    @TempDir
    Path tmp;

    Path dir() {
        return tmp.resolve("queue");
    }

    static Measurement temp(double value) {
        return new Measurement("temp", value, "Cel", 1_700_000_000_000L + (long) value * 1000);
    }

    static List<Measurement> temps(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(ReadingQueueTest::temp).toList();
    }

    static List<Long> seqs(List<QueuedReading> readings) {
        return readings.stream().map(QueuedReading::seq).toList();
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    static List<QueuedReading> all(ReadingQueue queue) {
        return queue.oldest(Integer.MAX_VALUE);
    }

    /** Appends {@code count} readings, one append each, and closes the queue. */
    void fill(Path dir, int count) throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
            for (int i = 1; i <= count; i++) {
                queue.append(List.of(temp(i)));
            }
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x40);
        }
    }

    static void cutTo(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    // ---- appending, reading back, acknowledging

    @Test
    void appended_readings_come_back_after_close_and_reopen_in_order_with_their_numbers() throws IOException {
        List<QueuedReading> appended = new ArrayList<>();
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.nextSeq()).isEqualTo(1);
            appended.addAll(queue.append(temps(1, 3)));
            appended.addAll(queue.append(List.of(new Measurement("humidity", 40.25, "%RH", 5L))));
            appended.addAll(queue.append(List.of()));
            assertThat(seqs(appended)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(appended.get(3).measurement()).isEqualTo(new Measurement("humidity", 40.25, "%RH", 5L));
            assertThat(queue.depth()).isEqualTo(4);
            assertThat(queue.oldest(2)).containsExactlyElementsOf(appended.subList(0, 2));
            assertThat(queue.oldest(0)).isEmpty();
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(all(queue)).containsExactlyElementsOf(appended);
            assertThat(queue.depth()).isEqualTo(4);
            assertThat(queue.nextSeq()).isEqualTo(5);
            assertThat(queue.dropped()).isZero();
        }
    }

    @Test
    void values_units_names_and_times_come_back_exactly() throws IOException {
        List<Measurement> edge = List.of(
                new Measurement("a".repeat(64), -0.0, "é".repeat(32), Long.MIN_VALUE),
                new Measurement("max", -Double.MAX_VALUE, "x", 1L),
                new Measurement("z", Double.MIN_VALUE, null, Long.MAX_VALUE),
                new Measurement("urn:dev:mac:0024befffe804ff1/temp_2.x-y", 0.1 + 0.2, "\uD83D\uDE00", -1L),
                new Measurement("n", 1e300, "Cel", 0L));
        List<QueuedReading> appended;
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            appended = queue.append(edge);
            assertThat(appended.stream().map(QueuedReading::measurement).toList()).isEqualTo(edge);
            assertThat(all(queue)).isEqualTo(appended);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(all(queue)).isEqualTo(appended);
            assertThat(Double.doubleToRawLongBits(all(queue).get(0).measurement().value()))
                    .isEqualTo(Double.doubleToRawLongBits(-0.0));
        }
    }

    @Test
    void an_entry_takes_32_bytes_plus_its_name_and_unit_39_for_temp_in_celsius() throws IOException {
        assertThat(ReadingQueue.entryBytes(temp(1))).isEqualTo(TEMP_ENTRY);
        assertThat(ReadingQueue.entryBytes(new Measurement("temp", 1, 0L))).isEqualTo(36);
        assertThat(ReadingQueue.entryBytes(new Measurement("t", 1, "°C", 0L))).isEqualTo(32 + 1 + 3);
        assertThat(ReadingQueue.entryBytes(new Measurement("a".repeat(64), 1, "€".repeat(32), 0L)))
                .isEqualTo(ReadingQueue.MAX_ENTRY_BYTES);
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 10));
            assertThat(queue.queuedBytes()).isEqualTo(10 * TEMP_ENTRY);
        }
        assertThat(Files.size(dir().resolve(ReadingQueue.LOG_FILE))).isEqualTo(HEADER + 10 * TEMP_ENTRY);
    }

    @Test
    void acknowledged_readings_do_not_come_back_and_acknowledging_again_or_lower_changes_nothing() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 6));
            queue.ack(3);
            assertThat(seqs(all(queue))).containsExactly(4L, 5L, 6L);
            assertThat(queue.queuedBytes()).isEqualTo(3 * TEMP_ENTRY);
            queue.ack(3);
            queue.ack(1);
            queue.ack(-5);
            assertThat(seqs(all(queue))).containsExactly(4L, 5L, 6L);
            assertThat(queue.depth()).isEqualTo(3);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).containsExactly(4L, 5L, 6L);
            assertThat(all(queue).get(0).measurement()).isEqualTo(temp(4));
            queue.ack(6);
            assertThat(queue.depth()).isZero();
            assertThat(queue.queuedBytes()).isZero();
            assertThat(queue.oldest(10)).isEmpty();
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.depth()).isZero();
        }
    }

    @Test
    void acknowledging_a_number_never_handed_out_is_refused_and_changes_nothing() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 2));
            assertThatThrownBy(() -> queue.ack(3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3").hasMessageContaining("highest sequence number handed out is 2");
            assertThat(queue.depth()).isEqualTo(2);
            queue.ack(2);
            assertThat(queue.depth()).isZero();
        }
    }

    @Test
    void acknowledging_through_a_number_between_queued_ones_removes_those_at_or_below_it() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 2));
            queue.skipTo(10);
            queue.append(temps(3, 2)); // 11, 12
            queue.ack(7);
            assertThat(seqs(all(queue))).containsExactly(11L, 12L);
        }
    }

    // ---- sequence numbers

    @Test
    void sequence_numbers_are_never_reused_after_everything_is_acknowledged_and_the_queue_reopened() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 5));
            queue.ack(5);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.depth()).isZero();
            assertThat(queue.nextSeq()).isEqualTo(6);
            assertThat(seqs(queue.append(temps(6, 2)))).containsExactly(6L, 7L);
        }
    }

    @Test
    void sequence_numbers_are_never_reused_after_the_emptied_log_is_compacted_to_its_header() throws IOException {
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        int count = ReadingQueue.COMPACT_MIN_BYTES / TEMP_ENTRY + 100;
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            for (int i = 0; i < count; i += 50) {
                queue.append(temps(i, 50));
            }
            long last = queue.nextSeq() - 1;
            queue.ack(last);
            assertThat(Files.size(log)).as("nothing queued: the log is its header").isEqualTo(HEADER);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            long expected = (count + 49) / 50 * 50 + 1;
            assertThat(queue.nextSeq()).isEqualTo(expected);
            assertThat(queue.append(List.of(temp(0))).get(0).seq()).isEqualTo(expected);
        }
    }

    @Test
    void skip_to_raises_the_next_number_durably_and_leaves_queued_readings_as_they_are() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 3));
            queue.skipTo(1000);
            assertThat(queue.nextSeq()).isEqualTo(1001);
            assertThat(seqs(all(queue))).containsExactly(1L, 2L, 3L);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.nextSeq()).as("the floor survives a reopen with nothing appended above it").isEqualTo(1001);
            queue.skipTo(500); // lower: nothing changes
            queue.skipTo(1000);
            assertThat(queue.nextSeq()).isEqualTo(1001);
            assertThat(seqs(queue.append(temps(4, 2)))).containsExactly(1001L, 1002L);
            queue.skipTo(1001); // below what the log holds: nothing changes
            assertThat(queue.nextSeq()).isEqualTo(1003);
            assertThatThrownBy(() -> queue.skipTo(-1)).isInstanceOf(IllegalArgumentException.class);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).containsExactly(1L, 2L, 3L, 1001L, 1002L);
            assertThat(queue.nextSeq()).isEqualTo(1003);
        }
    }

    @Test
    void skip_to_on_an_empty_queue_survives_a_reopen() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.skipTo(41);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.nextSeq()).isEqualTo(42);
        }
    }

    // ---- crashes: torn and damaged entries

    @Test
    void a_log_cut_off_anywhere_in_its_last_entry_loses_only_that_entry_and_appends_go_on() throws IOException {
        for (int cut = 1; cut <= TEMP_ENTRY; cut++) {
            Path dir = tmp.resolve("cut" + cut);
            fill(dir, 3);
            Path log = dir.resolve(ReadingQueue.LOG_FILE);
            cutTo(log, HEADER + 3 * TEMP_ENTRY - cut);
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(all(queue)).as("cut %d", cut).extracting(QueuedReading::measurement)
                        .containsExactly(temp(1), temp(2));
                assertThat(Files.size(log)).as("truncated to the last whole entry").isEqualTo(HEADER + 2 * TEMP_ENTRY);
                assertThat(queue.append(List.of(temp(9))).get(0).seq()).isGreaterThan(2);
            }
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(all(queue)).extracting(QueuedReading::measurement).containsExactly(temp(1), temp(2), temp(9));
            }
        }
    }

    @Test
    void a_flipped_byte_anywhere_in_the_last_entry_loses_only_that_entry_and_appends_go_on() throws IOException {
        for (int at = 0; at < TEMP_ENTRY; at++) {
            Path dir = tmp.resolve("flip" + at);
            fill(dir, 3);
            Path log = dir.resolve(ReadingQueue.LOG_FILE);
            flipByte(log, HEADER + 2 * TEMP_ENTRY + at);
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(seqs(all(queue))).as("byte %d", at).containsExactly(1L, 2L);
                assertThat(Files.size(log)).isEqualTo(HEADER + 2 * TEMP_ENTRY);
                queue.append(List.of(temp(9)));
            }
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(all(queue)).extracting(QueuedReading::measurement).containsExactly(temp(1), temp(2), temp(9));
            }
        }
    }

    @Test
    void a_damaged_entry_in_the_middle_loses_only_that_entry_and_later_readings_keep_their_numbers() throws IOException {
        for (int at : new int[] {0, 1, 5, 20, TEMP_ENTRY - 1}) {
            Path dir = tmp.resolve("middle" + at);
            fill(dir, 10);
            Path log = dir.resolve(ReadingQueue.LOG_FILE);
            flipByte(log, HEADER + 4L * TEMP_ENTRY + at); // the fifth entry
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(seqs(all(queue))).as("byte %d", at).containsExactly(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L);
                assertThat(all(queue).get(4).measurement()).isEqualTo(temp(6));
                assertThat(queue.nextSeq()).isEqualTo(11);
                assertThat(Files.size(log)).as("the damage is rewritten away").isEqualTo(HEADER + 9 * TEMP_ENTRY);
            }
            try (ReadingQueue queue = ReadingQueue.open(dir, ReadingQueue.DEFAULT_MAX_BYTES)) {
                assertThat(seqs(all(queue))).containsExactly(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L);
            }
        }
    }

    @Test
    void a_log_damaged_from_the_middle_to_the_end_keeps_what_precedes_and_numbers_go_on_above_the_acknowledged()
            throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 8));
            queue.ack(6);
        }
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "rw")) {
            raf.seek(HEADER + 3L * TEMP_ENTRY);
            raf.write(new byte[5 * TEMP_ENTRY]); // zeros over entries 4 to 8
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.depth()).isZero();
            assertThat(queue.nextSeq()).as("above the acknowledged 6").isEqualTo(7);
        }
    }

    @Test
    void leftover_temporary_files_of_a_crash_are_removed_and_the_queue_is_intact() throws IOException {
        fill(dir(), 3);
        Files.write(dir().resolve(ReadingQueue.LOG_FILE + ".tmp"), new byte[] {'V', 'I', 'G'});
        Files.write(dir().resolve(ReadingQueue.STATE_FILE + ".tmp"), new byte[0]);
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).containsExactly(1L, 2L, 3L);
        }
        try (var files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(ReadingQueue.LOG_FILE, ReadingQueue.STATE_FILE, ReadingQueue.LOCK_FILE);
        }
    }

    // ---- the bound

    @Test
    void a_full_queue_drops_the_oldest_first_and_counts_them_durably() throws IOException {
        long max = 10 * TEMP_ENTRY + 20; // ten entries and some bytes that hold none
        try (ReadingQueue queue = ReadingQueue.open(dir(), max)) {
            for (int i = 1; i <= 15; i++) {
                queue.append(List.of(temp(i)));
                assertThat(queue.queuedBytes()).isLessThanOrEqualTo(max);
            }
            assertThat(seqs(all(queue))).isEqualTo(range(6, 15));
            assertThat(queue.dropped()).isEqualTo(5);
            assertThat(queue.queuedBytes()).isEqualTo(10 * TEMP_ENTRY);
            queue.append(temps(16, 3));
            assertThat(seqs(all(queue))).isEqualTo(range(9, 18));
            assertThat(queue.dropped()).isEqualTo(8);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), max)) {
            assertThat(queue.dropped()).isEqualTo(8);
            assertThat(seqs(all(queue))).isEqualTo(range(9, 18));
            assertThat(all(queue).get(0).measurement()).isEqualTo(temp(9));
            assertThat(queue.nextSeq()).isEqualTo(19);
            queue.ack(18);
            queue.append(temps(19, 10));
            assertThat(queue.dropped()).as("an emptied queue takes ten again").isEqualTo(8);
        }
    }

    @Test
    void dropping_makes_room_for_a_larger_reading_by_bytes_not_by_count() throws IOException {
        Measurement big = new Measurement("n".repeat(64), 1, "u".repeat(32), 0L); // 128 bytes
        try (ReadingQueue queue = ReadingQueue.open(dir(), 5 * TEMP_ENTRY)) {
            queue.append(temps(1, 5));
            queue.append(List.of(big));
            assertThat(queue.dropped()).as("128 bytes need four entries of 39 dropped").isEqualTo(4);
            assertThat(all(queue)).extracting(QueuedReading::measurement).containsExactly(temp(5), big);
        }
    }

    @Test
    void reopening_with_a_smaller_bound_drops_the_oldest_and_counts_them() throws IOException {
        fill(dir(), 10);
        try (ReadingQueue queue = ReadingQueue.open(dir(), 5 * TEMP_ENTRY)) {
            assertThat(seqs(all(queue))).isEqualTo(range(6, 10));
            assertThat(queue.dropped()).isEqualTo(5);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).as("dropped readings stay dropped").isEqualTo(range(6, 10));
            assertThat(queue.dropped()).isEqualTo(5);
            assertThat(queue.nextSeq()).isEqualTo(11);
        }
    }

    @Test
    void a_batch_larger_than_the_queue_is_refused_and_writes_nothing() throws IOException {
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        try (ReadingQueue queue = ReadingQueue.open(dir(), 5 * TEMP_ENTRY)) {
            queue.append(temps(1, 2));
            long size = Files.size(log);
            assertThatThrownBy(() -> queue.append(temps(3, 6))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("6 readings take 234 bytes");
            assertThat(Files.size(log)).isEqualTo(size);
            assertThat(seqs(all(queue))).containsExactly(1L, 2L);
            assertThat(queue.nextSeq()).isEqualTo(3);
            assertThat(queue.dropped()).isZero();
        }
    }

    @Test
    void a_null_among_the_measurements_writes_nothing() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThatThrownBy(() -> queue.append(Arrays.asList(temp(1), null))).isInstanceOf(NullPointerException.class);
            assertThat(queue.depth()).isZero();
            assertThat(queue.nextSeq()).isEqualTo(1);
        }
        assertThat(Files.size(dir().resolve(ReadingQueue.LOG_FILE))).isEqualTo(HEADER);
    }

    @Test
    void a_bound_that_cannot_hold_the_largest_reading_or_is_too_large_for_memory_is_refused() {
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.MAX_ENTRY_BYTES - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("191");
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.MAX_MAX_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir()).doesNotExist();
    }

    // ---- compaction

    @Test
    void compaction_shrinks_the_log_to_the_queued_entries_keeping_their_order_and_numbers() throws IOException {
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            for (int i = 1; i <= 3000; i += 10) {
                queue.append(temps(i, 10));
            }
            queue.ack(1000); // 39,000 bytes acknowledged: under 64 KiB, the log stays
            assertThat(Files.size(log)).isEqualTo(HEADER + 3000L * TEMP_ENTRY);
            queue.ack(2500); // 97,500 bytes acknowledged and more than the 19,500 queued: compacted
            assertThat(Files.size(log)).isEqualTo(HEADER + 500L * TEMP_ENTRY);
            assertThat(seqs(all(queue))).isEqualTo(range(2501, 3000));
            queue.append(List.of(temp(3001)));
            assertThat(Files.size(log)).as("appends go on in the compacted file")
                    .isEqualTo(HEADER + 501L * TEMP_ENTRY);
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            List<QueuedReading> readings = all(queue);
            assertThat(seqs(readings)).isEqualTo(range(2501, 3001));
            assertThat(readings).extracting(QueuedReading::measurement)
                    .isEqualTo(IntStream.rangeClosed(2501, 3001).mapToObj(ReadingQueueTest::temp).toList());
            assertThat(queue.nextSeq()).isEqualTo(3002);
        }
    }

    @Test
    void dropping_from_a_full_queue_compacts_too_so_the_log_stays_bounded() throws IOException {
        long max = 4096;
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        try (ReadingQueue queue = ReadingQueue.open(dir(), max)) {
            long largest = 0;
            for (int i = 1; i <= 2500; i++) {
                queue.append(List.of(temp(i)));
                largest = Math.max(largest, Files.size(log));
                assertThat(Files.size(log)).isLessThanOrEqualTo(HEADER + max + ReadingQueue.COMPACT_MIN_BYTES);
            }
            assertThat(queue.dropped()).isEqualTo(2500 - max / TEMP_ENTRY);
            assertThat(Files.size(log)).as("compacted at least once").isLessThan(largest);
            assertThat(seqs(all(queue))).isEqualTo(range(2500 - max / TEMP_ENTRY + 1, 2500));
        }
    }

    // ---- files that are not the queue's, and the directory

    @Test
    void a_file_that_is_not_a_queue_log_is_refused_with_its_name_and_left_as_it_is() throws IOException {
        Files.createDirectories(dir());
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        Files.writeString(log, "temp,21.5\n");
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessage(log + " is not a reading queue log (it does not start with"
                        + " the queue header)");
        assertThat(Files.readString(log)).isEqualTo("temp,21.5\n");
        Files.write(log, new byte[0]);
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageContaining(log.toString());
        assertThat(dir().resolve(ReadingQueue.STATE_FILE)).doesNotExist();
    }

    @Test
    void a_log_of_another_format_version_is_refused_with_its_name() throws IOException {
        fill(dir(), 1);
        Path log = dir().resolve(ReadingQueue.LOG_FILE);
        flipByte(log, 7);
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageContaining(log.toString()).hasMessageContaining("format 65");
    }

    @Test
    void a_damaged_or_missing_state_file_is_refused_with_its_name() throws IOException {
        fill(dir(), 2);
        Path state = dir().resolve(ReadingQueue.STATE_FILE);
        byte[] good = Files.readAllBytes(state);
        flipByte(state, 12);
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageContaining(state.toString()).hasMessageContaining("damaged");
        Files.write(state, Arrays.copyOf(good, 40));
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageContaining(state.toString()).hasMessageContaining("40 bytes");
        Files.delete(state);
        assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageStartingWith(state + " is missing beside "
                        + dir().resolve(ReadingQueue.LOG_FILE));
        Files.write(state, good);
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).containsExactly(1L, 2L);
        }
    }

    @Test
    void a_directory_path_that_is_a_file_is_refused_with_its_name() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThatThrownBy(() -> ReadingQueue.open(file, ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessage("reading queue directory " + file
                        + " exists and is not a directory");
        assertThatThrownBy(() -> ReadingQueue.open(file.resolve("queue"), ReadingQueue.DEFAULT_MAX_BYTES))
                .isInstanceOf(IOException.class).hasMessageContaining(file.resolve("queue").toString());
    }

    @Test
    void a_directory_that_cannot_be_written_is_refused_with_its_name() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root writes anywhere");
        Path readOnly = Files.createDirectories(tmp.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-x------"));
        try {
            assertThatThrownBy(() -> ReadingQueue.open(readOnly, ReadingQueue.DEFAULT_MAX_BYTES))
                    .isInstanceOf(IOException.class).hasMessage("reading queue directory " + readOnly + " is not writable");
            assertThatThrownBy(() -> ReadingQueue.open(readOnly.resolve("queue"), ReadingQueue.DEFAULT_MAX_BYTES))
                    .isInstanceOf(IOException.class).hasMessageContaining(readOnly.resolve("queue").toString())
                    .hasMessageContaining("permission denied");
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void the_directory_is_created_0700_and_its_files_0600() throws IOException {
        Path nested = tmp.resolve("a/b/queue");
        fill(nested, 1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        for (String file : new String[] {ReadingQueue.LOG_FILE, ReadingQueue.STATE_FILE, ReadingQueue.LOCK_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
    }

    @Test
    void a_second_open_of_the_same_directory_is_refused_while_the_first_is_open() throws IOException {
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            queue.append(temps(1, 1));
            assertThatThrownBy(() -> ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES))
                    .isInstanceOf(IOException.class).hasMessageContaining("is open already")
                    .hasMessageContaining(dir().resolve(ReadingQueue.LOCK_FILE).toString());
            queue.append(temps(2, 1));
        }
        try (ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(seqs(all(queue))).containsExactly(1L, 2L);
        }
    }

    @Test
    void a_closed_queue_refuses_use_and_closing_again_is_harmless() throws IOException {
        ReadingQueue queue = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES);
        queue.close();
        queue.close();
        assertThatThrownBy(() -> queue.append(temps(1, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> queue.oldest(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> queue.oldest(-1)).isInstanceOf(IllegalStateException.class);
        try (ReadingQueue again = ReadingQueue.open(dir(), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThatThrownBy(() -> again.oldest(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
