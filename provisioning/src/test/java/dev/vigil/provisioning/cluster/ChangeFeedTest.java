package dev.vigil.provisioning.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.devices.Lifecycle;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.RegistryFixture;
import dev.vigil.provisioning.testdb.TestDatabases;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one registry database (H2 by default, PostgreSQL in the registry-on-postgresql run): what one
 * changes reaches the other's caches and cuts the sessions the other holds.
 */
class ChangeFeedTest {

    @TempDir
    Path dir;

    private RegistryFixture nodeA;
    private Database databaseB;
    private Registry registryB;
    private final List<String> cutOnB = new CopyOnWriteArrayList<>();
    private ChangeFeed feedB;

    @BeforeEach
    void twoNodes() {
        nodeA = new RegistryFixture(dir);
        databaseB = TestDatabases.open(dir);
        registryB = Registry.open(databaseB, profiles(), Clock.systemUTC());
                feedB = new ChangeFeed(databaseB, new ChangeApplier(registryB, cutOnB::addAll),
                () -> 3, Clock.systemUTC())
                .start(new NodeDirectory.Node("node-b", "127.0.0.1:5684", Instant.now(), Instant.now(), 0, 0));
    }

    @AfterEach
    void close() {
        feedB.close();
        databaseB.close();
        nodeA.close();
    }

    @Test
    void a_device_decommissioned_on_one_node_is_refused_by_the_other_and_its_sessions_there_are_cut() {
        PublicKey key = PemFiles.generateP256().getPublic();
        String keyId = nodeA.registry.devices().add("sensor-1", key, "sensor", RegistryFixture.ADMIN).keyId();
        assertThat(registryB.devices().findByKeyId(keyId)).hasValueSatisfying(d -> assertThat(d.isTrusted()).isTrue());

        nodeA.registry.devices().change("sensor-1", Lifecycle.DECOMMISSION, RegistryFixture.ADMIN);

        await(() -> cutOnB.contains(keyId));
        assertThat(registryB.devices().findByKeyId(keyId)).hasValueSatisfying(
                d -> assertThat(d.state()).isEqualTo(DeviceState.DECOMMISSIONED));
    }

    @Test
    void a_quarantine_reaches_the_other_nodes_cache_without_cutting_the_session() {
        PublicKey key = PemFiles.generateP256().getPublic();
        String keyId = nodeA.registry.devices().add("sensor-2", key, "sensor", RegistryFixture.ADMIN).keyId();
        assertThat(registryB.devices().findByKeyId(keyId)).isPresent();

        nodeA.registry.devices().change("sensor-2", Lifecycle.QUARANTINE, RegistryFixture.ADMIN);

        await(() -> registryB.devices().findByKeyId(keyId).orElseThrow().state() == DeviceState.QUARANTINED);
        assertThat(cutOnB).doesNotContain(keyId);
    }

    @Test
    void the_node_reports_itself_with_its_applied_sequence_and_sessions() {
        nodeA.registry.devices().add("sensor-3", PemFiles.generateP256().getPublic(), "sensor",
                RegistryFixture.ADMIN);
        long newest = ChangeLog.newest(nodeA.database);
        await(() -> new NodeDirectory(nodeA.database).list().stream()
                .anyMatch(n -> n.id().equals("node-b") && n.lastSeq() == newest && n.sessions() == 3));
    }

    private static dev.vigil.provisioning.devices.ProfileRules profiles() {
        return new dev.vigil.provisioning.devices.ProfileRules() {
            @Override
            public boolean exists(String profile) {
                return Set.of("sensor", "gated").contains(profile);
            }

            @Override
            public boolean requiresApproval(String profile) {
                return profile.equals("gated");
            }
        };
    }

    /** Waits for what the other node does on its own thread (generous: correctness, not speed). */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
