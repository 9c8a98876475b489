package dev.vigil.provisioning.cluster;

import static dev.vigil.provisioning.cluster.ChangeFeedTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.devices.Lifecycle;
import dev.vigil.provisioning.MutableClock;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.testdb.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed is pruned of what every node has applied once it is older than the retention (H2 by default,
 * PostgreSQL in the registry-on-postgresql run), and a node that was away while the changes it missed were pruned
 * forgets every cache instead of missing them.
 */
class ChangeFeedPruningTest {

    private static final Duration RETENTION = Duration.ofDays(1);

    @TempDir
    Path dir;

    private RegistryFixture nodeA;
    private final MutableClock clock = new MutableClock();
    private Database databaseB;
    private ChangeFeed feedB;

    @BeforeEach
    void nodes() {
        nodeA = new RegistryFixture(dir);
        databaseB = TestDatabases.open(dir);
        feedB = new ChangeFeed(databaseB, change -> { }, () -> 0, clock, RETENTION).start(node("node-b"));
    }

    @AfterEach
    void close() {
        feedB.close();
        databaseB.close();
        nodeA.close();
    }

    @Test
    void changes_every_node_applied_are_pruned_once_older_than_the_retention_and_not_before() throws Exception {
        for (int i = 0; i < 5; i++) {
            nodeA.registry.devices().add("sensor-" + i, PemFiles.generateP256().getPublic(), "sensor",
                    RegistryFixture.ADMIN);
        }
        long newest = ChangeLog.newest(nodeA.database);
        await(() -> feedB.applied() == newest);
        List<Long> recorded = changes();
        assertThat(recorded).hasSizeGreaterThanOrEqualTo(5);

        clock.advance(Duration.ofHours(23)); // younger than the retention: kept
        Thread.sleep(2 * ChangeFeed.CATCH_UP_MILLIS);
        assertThat(changes()).isEqualTo(recorded);

        // a node seen just now that has applied all but the last two holds those two back
        long third = recorded.get(recorded.size() - 3);
        new NodeDirectory(nodeA.database).report(new NodeDirectory.Node("node-c", "127.0.0.1:5694", clock.instant(),
                clock.instant().plus(Duration.ofHours(2)), third, 0));
        clock.advance(Duration.ofHours(2));
        await(() -> changes().size() == 2);
        assertThat(changes()).allSatisfy(seq -> assertThat(seq).isGreaterThan(third));
        assertThat(ChangeLog.prunedThrough(nodeA.database)).isEqualTo(third);
    }

    @Test
    void a_node_back_after_the_changes_it_missed_were_pruned_forgets_every_cache_and_cuts_what_is_now_refused()
            throws Exception {
        String keyId = nodeA.registry.devices().add("sensor-1", PemFiles.generateP256().getPublic(), "sensor",
                RegistryFixture.ADMIN).keyId();
        Database databaseC = TestDatabases.open(dir);
        try {
            Registry registryC = Registry.open(databaseC, Clock.systemUTC());
            List<String> cutOnC = new CopyOnWriteArrayList<>();
            // node C holds the device in its cache, then stops following the feed (away: its feed not running)
            try (ChangeFeed feedC = new ChangeFeed(databaseC, new ChangeApplier(registryC, cutOnC::addAll), () -> 1,
                    Clock.systemUTC(), RETENTION)) {
                assertThat(registryC.devices().findByKeyId(keyId).orElseThrow().state()).isEqualTo(DeviceState.ACTIVE);

                nodeA.registry.devices().change("sensor-1", Lifecycle.SUSPEND, RegistryFixture.ADMIN);
                long suspended = ChangeLog.newest(nodeA.database);
                await(() -> feedB.applied() == suspended);
                clock.advance(Duration.ofDays(2)); // node B, the only node seen lately, prunes everything
                await(() -> ChangeLog.prunedThrough(nodeA.database) == suspended);
                assertThat(changes()).isEmpty();
                assertThat(registryC.devices().findByKeyId(keyId).orElseThrow().state())
                        .as("node C's cache, before it follows the feed again").isEqualTo(DeviceState.ACTIVE);

                feedC.start(node("node-c"));

                await(() -> feedC.applied() == suspended);
                assertThat(registryC.devices().findByKeyId(keyId).orElseThrow().state())
                        .isEqualTo(DeviceState.SUSPENDED);
                assertThat(cutOnC).contains(keyId);
            }
        } finally {
            databaseC.close();
        }
    }

    private static NodeDirectory.Node node(String id) {
        return new NodeDirectory.Node(id, "127.0.0.1:5684", Instant.now(), Instant.now(), 0, 0);
    }

    /** The sequence numbers left in the feed, oldest first. */
    private List<Long> changes() {
        return nodeA.database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT seq FROM changes ORDER BY seq");
                    ResultSet rows = query.executeQuery()) {
                List<Long> seqs = new java.util.ArrayList<>();
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
                return seqs;
            }
        });
    }
}
