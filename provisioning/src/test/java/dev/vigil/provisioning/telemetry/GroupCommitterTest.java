package dev.vigil.provisioning.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.RegistryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit on a real H2 database: packs offered before the writer starts are all in its first group, so what
 * shares a group is known without timing.
 */
class GroupCommitterTest {

    @TempDir
    Path dir;
    private RegistryFixture fx;
    private TelemetryStore store;
    private long s1;
    private long s2;

    @BeforeEach
    void open() throws Exception {
        fx = new RegistryFixture(dir);
        store = fx.registry.telemetry();
        s1 = fx.registry.devices().add("s1", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN).id();
        s2 = fx.registry.devices().add("s2", PemFiles.generateP256().getPublic(), "sensor", RegistryFixture.ADMIN).id();
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static Pack pack(long device, Long firstSeq, double... values) {
        List<Reading> readings = new ArrayList<>();
        for (double v : values) {
            readings.add(new Reading("v", null, v, null, null, null));
        }
        return new Pack(device, Instant.now(), readings, firstSeq);
    }

    /** A pack the database refuses: its reading's name is longer than the column (the decoder never lets one in). */
    private static Pack refused(long device) {
        return new Pack(device, Instant.now(), List.of(new Reading("n".repeat(200), null, 1.0, null, null, null)), null);
    }

    /** What the writer told one caller: a Stored, or the failure. */
    private static final class Outcome extends CompletableFuture<Object> implements GroupCommitter.Answer {
        @Override
        public void stored(TelemetryStore.Stored stored) {
            complete(stored);
        }

        @Override
        public void failed(RuntimeException cause) {
            complete(cause);
        }

        Object answer() throws Exception {
            return get(60, TimeUnit.SECONDS);
        }
    }

    private static Outcome offer(GroupCommitter committer, Pack pack) {
        Outcome outcome = new Outcome();
        assertThat(committer.offer(pack, outcome)).as("queued").isTrue();
        return outcome;
    }

    private List<Double> values(String device) {
        return store.tail(device, 100).stream().map(r -> r.reading().number()).toList();
    }

    @Test
    void a_replayed_pack_in_the_same_group_as_its_original_is_stored_once() throws Exception {
        try (GroupCommitter committer = new GroupCommitter(store, 100, 100, 1000)) {
            Outcome original = offer(committer, pack(s1, 0L, 1, 2));
            Outcome neighbour = offer(committer, pack(s2, 0L, 10));
            Outcome replay = offer(committer, pack(s1, 0L, 1, 2)); // its 2.04 was slow: the device sent it again
            Outcome next = offer(committer, pack(s1, 1L, 2, 3)); // one old, one new
            Outcome unnumbered = offer(committer, pack(s2, null, 20));
            committer.start();

            assertThat(original.answer()).isEqualTo(new TelemetryStore.Stored(2, 0, 1));
            assertThat(neighbour.answer()).isEqualTo(new TelemetryStore.Stored(1, 0, 0));
            assertThat(replay.answer()).isEqualTo(new TelemetryStore.Stored(0, 2, 1));
            assertThat(next.answer()).isEqualTo(new TelemetryStore.Stored(1, 1, 2));
            assertThat(unnumbered.answer()).isEqualTo(new TelemetryStore.Stored(1, 0, -1));
        }
        assertThat(values("s1")).containsExactly(1.0, 2.0, 3.0);
        assertThat(values("s2")).containsExactly(10.0, 20.0);
        assertThat(store.storedSinceStart()).isEqualTo(5);
    }

    @Test
    void a_pack_the_database_refuses_fails_alone_and_its_neighbours_are_stored() throws Exception {
        try (GroupCommitter committer = new GroupCommitter(store, 100, 100, 1000)) {
            Outcome before = offer(committer, pack(s1, 0L, 1));
            Outcome bad = offer(committer, refused(s2));
            Outcome after = offer(committer, pack(s2, null, 2));
            Outcome sameDevice = offer(committer, pack(s1, 1L, 3));
            committer.start();

            assertThat(before.answer()).isEqualTo(new TelemetryStore.Stored(1, 0, 0));
            assertThat(bad.answer()).isInstanceOf(RegistryException.class);
            assertThat(after.answer()).isEqualTo(new TelemetryStore.Stored(1, 0, -1));
            assertThat(sameDevice.answer()).isEqualTo(new TelemetryStore.Stored(1, 0, 1));
        }
        assertThat(values("s1")).containsExactly(1.0, 3.0);
        assertThat(values("s2")).containsExactly(2.0);
    }

    @Test
    void a_devices_readings_read_back_in_the_order_stored_across_many_groups_and_a_reopen() {
        // more readings than H2's identity cache holds (32: a larger one, tried for speed, made H2 2.3.232 report
        // this very file corrupted when opened again, 'Double mark', in 14 of 25 runs), two devices interleaved in
        // every group, and the database closed and opened again in the middle
        List<Double> expected = new ArrayList<>();
        double next = 0;
        for (int round = 0; round < 2; round++) {
            for (int group = 0; group < 12; group++) {
                double[] values = new double[50];
                for (int i = 0; i < values.length; i++) {
                    values[i] = next++;
                    expected.add(values[i]);
                }
                store.appendGroup(List.of(pack(s1, null, values), pack(s2, null, -1), pack(s1, null, next++)));
                expected.add(next - 1);
            }
            fx.close();
            fx = new RegistryFixture(dir);
            store = fx.registry.telemetry();
        }
        assertThat(store.tail("s1", 10_000).stream().map(r -> r.reading().number()).toList())
                .containsExactlyElementsOf(expected);
        assertThat(store.since("s1", 0, 10_000)).hasSize(expected.size());
    }

    @Test
    void a_group_is_one_transaction_stored_whole_or_not_at_all() {
        assertThatThrownBy(() -> store.appendGroup(List.of(pack(s1, 0L, 1), pack(s2, null, 2),
                refused(s2)))).isInstanceOf(RegistryException.class);
        assertThat(values("s1")).isEmpty();
        assertThat(values("s2")).isEmpty();
        assertThat(store.append(s1, Instant.now(), List.of(new Reading("v", null, 1.0, null, null, null)), 0L))
                .as("the replay number was rolled back too").isEqualTo(new TelemetryStore.Stored(1, 0, 0));
    }

    @Test
    void a_full_queue_refuses_the_pack_at_once_and_stores_nothing_of_it() throws Exception {
        try (GroupCommitter committer = new GroupCommitter(store, 2, 100, 1000)) {
            Outcome first = offer(committer, pack(s1, null, 1));
            Outcome second = offer(committer, pack(s1, null, 2));
            Outcome refused = new Outcome();
            assertThat(committer.offer(pack(s1, null, 3), refused)).as("a third pack in a queue of 2").isFalse();
            committer.start();
            first.answer();
            second.answer();
            assertThat(refused).as("a refused pack is never answered by the writer").isNotDone();
        }
        assertThat(values("s1")).containsExactly(1.0, 2.0);
    }

    @Test
    void close_stores_and_answers_every_queued_pack_then_refuses_new_ones() throws Exception {
        GroupCommitter committer = new GroupCommitter(store, 100, 2, 1000); // groups of 2: three groups to drain
        List<Outcome> queued = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            queued.add(offer(committer, pack(i % 2 == 0 ? s2 : s1, null, i)));
        }
        committer.close();
        for (Outcome outcome : queued) {
            assertThat(outcome).as("answered by the time close returns").isDone();
            assertThat(outcome.answer()).isInstanceOf(TelemetryStore.Stored.class);
        }
        assertThat(committer.offer(pack(s1, null, 6), new Outcome())).as("offered after close").isFalse();
        assertThat(values("s1")).containsExactly(1.0, 3.0, 5.0);
        assertThat(values("s2")).containsExactly(2.0, 4.0);
    }
}
