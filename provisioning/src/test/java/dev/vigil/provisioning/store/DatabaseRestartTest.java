package dev.vigil.provisioning.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The registry's connection pool on a real PostgreSQL server that restarts under it: every connection the pool
 * held before is dead afterwards, and none of them may cost an operator a failed operation.
 */
class DatabaseRestartTest {

    private static final int POOLED = 6;

    @Test
    void after_the_database_restarts_every_operation_succeeds_the_first_time() throws Exception {
        try (PostgresServer server = PostgresServer.start()) {
            String url = server.createDatabase("vigil");
            Database database = Database.open(url, PostgresServer.USER, PostgresServer.PASSWORD);
            try {
                Registry registry = Registry.open(database, Clock.systemUTC());
                holdConnectionsAtOnce(database, POOLED); // the pool now keeps several idle connections

                server.stop();
                Thread.sleep(1000); // down for a second (a real restart takes longer): past the pool's 0.5 s window
                server.startAgain();

                // more operations than the pool held connections: each would meet a dead one if none were checked
                for (int i = 0; i < 2 * POOLED; i++) {
                    registry.devices().add("sensor-" + i, PemFiles.generateP256().getPublic(), "sensor",
                            RegistryFixture.ADMIN);
                }
                assertThat(registry.devices().list()).hasSize(2 * POOLED);
            } finally {
                database.close();
            }
        }
    }

    /** Runs {@code count} transactions that overlap, so the pool opens (and then keeps) that many connections. */
    private static void holdConnectionsAtOnce(Database database, int count) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        CountDownLatch all = new CountDownLatch(count);
        try {
            List<Future<Integer>> held = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                held.add(threads.submit(() -> database.inTransaction(c -> {
                    all.countDown();
                    try {
                        assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    try (var query = c.prepareStatement("SELECT 1"); var rows = query.executeQuery()) {
                        rows.next();
                        return rows.getInt(1);
                    }
                })));
            }
            for (Future<Integer> one : held) {
                assertThat(one.get(60, TimeUnit.SECONDS)).isEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
