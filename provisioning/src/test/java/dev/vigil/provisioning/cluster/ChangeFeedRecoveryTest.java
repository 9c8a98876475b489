package dev.vigil.provisioning.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.Lifecycle;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.testdb.PostgresServer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The change feed on a real PostgreSQL server that is stopped and started again under it. */
class ChangeFeedRecoveryTest {

    @Test
    void after_the_database_restarts_a_change_still_reaches_the_other_node() throws InterruptedException {
        try (PostgresServer server = PostgresServer.start()) {
            String url = server.createDatabase("vigil");
            Database a = Database.open(url, PostgresServer.USER, PostgresServer.PASSWORD);
            Database b = Database.open(url, PostgresServer.USER, PostgresServer.PASSWORD);
            Registry registryA = Registry.open(a, Clock.systemUTC());
            Registry registryB = Registry.open(b, Clock.systemUTC());
            List<String> cutOnB = new CopyOnWriteArrayList<>();
            try (ChangeFeed feed = new ChangeFeed(b, new ChangeApplier(registryB, cutOnB::addAll),
                    () -> 0, Clock.systemUTC())
                    .start(new NodeDirectory.Node("node-b", "127.0.0.1:5684", Instant.now(), Instant.now(), 0, 0))) {
                String before = registryA.devices().add("sensor-1", PemFiles.generateP256().getPublic(), "sensor",
                        RegistryFixture.ADMIN).keyId();
                String after = registryA.devices().add("sensor-2", PemFiles.generateP256().getPublic(), "sensor",
                        RegistryFixture.ADMIN).keyId();
                registryA.devices().change("sensor-1", Lifecycle.SUSPEND, RegistryFixture.ADMIN);
                ChangeFeedTest.await(() -> cutOnB.contains(before));

                server.stop();
                Thread.sleep(1000); // down for a second (a real restart takes longer): past the pool's 0.5 s window
                server.startAgain();
                // the pool checks the connections the restart cut before handing one out: no retry needed
                registryA.devices().change("sensor-2", Lifecycle.SUSPEND, RegistryFixture.ADMIN);

                ChangeFeedTest.await(() -> cutOnB.contains(after));
                assertThat(feed.applied()).isEqualTo(ChangeLog.newest(a));
            } finally {
                b.close();
                a.close();
            }
        }
    }
}
