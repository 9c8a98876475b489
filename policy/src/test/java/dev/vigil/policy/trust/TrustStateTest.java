package dev.vigil.policy.trust;

import static dev.vigil.policy.trust.GivenDevice.DAY;
import static dev.vigil.policy.trust.GivenDevice.MINUTE;
import static dev.vigil.policy.trust.GivenDevice.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.policy.Decision;
import dev.vigil.policy.Method;
import dev.vigil.policy.TrustTier;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Size, allocation, snapshots and concurrency of the per-device state. */
class TrustStateTest {

    @Test
    void a_device_takes_at_most_256_bytes() {
        long bytes = 12; // object header with compressed class pointers
        for (Field field : DeviceTrust.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Class<?> type = field.getType();
            bytes += type == long.class || type == double.class ? 8 : type == int.class || type == float.class ? 4
                    : type == short.class || type == char.class ? 2 : type == byte.class || type == boolean.class ? 1
                    : 4; // a compressed reference
        }
        long aligned = (bytes + 7) / 8 * 8;

        assertThat(aligned).isLessThanOrEqualTo(256);
        assertThat(Snapshots.SIZE).isLessThanOrEqualTo(256);
    }

    @Test
    void requests_allocate_nothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
        int requests = 200_000;
        long now = sensor.now;
        run(sensor, now, requests); // warm up and hour rolls past the first

        long before = threads.getCurrentThreadAllocatedBytes();
        TrustTier tier = run(sensor, now + (long) requests * MINUTE, requests);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(tier).isEqualTo(TrustTier.TRUSTED);
        assertThat(allocated).isLessThan(requests); // any allocation per request would be at least 16 bytes each
    }

    private static TrustTier run(GivenDevice sensor, long from, int requests) {
        TrustTier tier = null;
        for (int i = 0; i < requests; i++) {
            tier = sensor.engine.onRequest(sensor.device, from + i * MINUTE, 1, 100, 0, Method.POST, 100, Decision.ALLOW);
        }
        return tier;
    }

    @Test
    void a_snapshot_restores_the_same_state_in_another_engine() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(9 * DAY);
        sensor.flood(10, 6 * SECOND);
        byte[] snapshot = sensor.engine.export(sensor.device);
        byte[] cohort = sensor.engine.exportCohort("sensor").orElseThrow();

        TrustEngine restarted = new TrustEngine(TrustSettings.defaults(), TrustListener.NONE, 10);
        restarted.restoreCohort("sensor", GivenDevice.LIMITS, cohort);
        DeviceTrust restored = restarted.restore(7, "sensor", GivenDevice.LIMITS, snapshot);

        assertThat(restarted.export(restored)).isEqualTo(snapshot);
        assertThat(restarted.exportCohort("sensor").orElseThrow()).isEqualTo(cohort);
        assertThat(restored.tier()).isEqualTo(TrustTier.LIMITED);
        assertThat(restarted.explain(restored, sensor.now)).isEqualTo(sensor.engine.explain(sensor.device, sensor.now));
        assertThat(restarted.device(7, "sensor", GivenDevice.LIMITS)).isSameAs(restored);
        for (int i = 0; i < 100; i++) {
            long at = sensor.now + i * MINUTE;
            assertThat(restarted.onRequest(restored, at, 1, 100, 0, Method.POST, 100, Decision.ALLOW))
                    .isEqualTo(sensor.engine.onRequest(sensor.device, at, 1, 100, 0, Method.POST, 100, Decision.ALLOW));
        }
        assertThat(restarted.export(restored)).isEqualTo(sensor.engine.export(sensor.device));
    }

    @Test
    void a_snapshot_of_another_device_or_version_is_refused() {
        GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
        byte[] snapshot = sensor.engine.export(sensor.device);

        assertThatThrownBy(() -> sensor.engine.restore(8, "sensor", GivenDevice.LIMITS, snapshot))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("snapshot of device 7, not 8");
        snapshot[0] = 9;
        assertThatThrownBy(() -> sensor.engine.restore(7, "sensor", GivenDevice.LIMITS, snapshot))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a version 2 trust snapshot");
    }

    @Test
    void a_tier_change_raced_by_two_threads_is_reported_once() throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            GivenDevice sensor = GivenDevice.reporting(MINUTE).for_(DAY);
            long at = sensor.now;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < 50; i++) {
                        sensor.engine.onRequest(sensor.device, at + i, 1, 100, 0, Method.POST, 100, Decision.ALLOW);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }

            List<TrustChange> changes;
            synchronized (sensor.changes) {
                changes = List.copyOf(sensor.changes);
            }
            // A hundred requests in 100 ms: LIMITED, then QUARANTINED, each told once, whichever thread made it.
            assertThat(changes).extracting(TrustChange::to)
                    .containsExactlyInAnyOrder(TrustTier.LIMITED, TrustTier.QUARANTINED);
            assertThat(changes).extracting(TrustChange::sequence).containsExactlyInAnyOrder(1, 2);
            assertThat(sensor.engine.explain(sensor.device, at + 100).contributions()).isNotEmpty();
        }
    }
}
