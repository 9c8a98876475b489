package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group commit under a crash: {@code vigil server} in its own JVM, halted ({@code vigil.crashAt}, exit 137, as a
 * SIGKILL leaves it) just before or just after the commit of its eighth telemetry group: each device first posts
 * its pack 0 alone (six groups, all acknowledged), then all post their other numbered packs at once (groups of up
 * to six packs, so at least nine more). Every pack acknowledged before the halt is stored; after the restart the devices send
 * all their packs again (what a device does for packs whose 2.04 it never saw, and more), and every reading is
 * then stored exactly once.
 */
class GroupCommitCrashTest {

    private static final int DEVICES = 6;
    /** Packs per device: 10, the sensor profile's burst, so no rate limit interferes. */
    private static final int PACKS = 10;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "server halted at {0}")
    @ValueSource(strings = {"before-commit:telemetry#8", "after-commit:telemetry#8"})
    void nothing_acknowledged_is_lost_and_nothing_is_stored_twice_after_the_devices_resend(String point)
            throws Exception {
        DataDir data = DataDir.init(dir.resolve("data"));
        PublicKey serverKey = PemFiles.readPublicKey(data.serverPublicKey());
        List<KeyPair> keys = new ArrayList<>();
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        try (ServerProcess server = ServerProcess.start(data.root(), "crashing", "vigil.crashAt=" + point)) {
            for (int d = 0; d < DEVICES; d++) {
                KeyPair key = PemFiles.generateP256();
                Path pub = dir.resolve("d" + d + ".pub.pem");
                PemFiles.writePublicKey(pub, key.getPublic());
                CliRun add = CliRun.vigil("device", "add", name(d), "--key", pub.toString(), "--profile", "sensor",
                        "--data", data.root().toString());
                assertThat(add.exitCode()).as(add.err()).isZero();
                keys.add(key);
            }
            List<DeviceClient> clients = new ArrayList<>();
            ExecutorService devices = Executors.newFixedThreadPool(DEVICES);
            try {
                for (int d = 0; d < DEVICES; d++) {
                    DeviceClient client = new DeviceClient(server.deviceUri(), keys.get(d), serverKey).timeout(5_000);
                    clients.add(client);
                    assertThat(client.send("/t", GroupCommitTest.numbered(0)).code()).isEqualTo(ResponseCode.CHANGED);
                    Set<Long> mine = ConcurrentHashMap.newKeySet();
                    mine.add(0L);
                    acked.put(name(d), mine);
                }
                for (int d = 0; d < DEVICES; d++) {
                    DeviceClient client = clients.get(d);
                    Set<Long> mine = acked.get(name(d));
                    devices.submit(() -> send(client, 1, mine));
                }
                CompletableFuture.anyOf(server.process().onExit()).get(3, TimeUnit.MINUTES);
                assertThat(server.process().exitValue()).as("exit status: %s", server.log()).isEqualTo(137);
                assertThat(server.log()).contains("crash point " + point + " reached");
            } finally {
                devices.shutdownNow();
                assertThat(devices.awaitTermination(2, TimeUnit.MINUTES)).as("device threads ended").isTrue();
                clients.forEach(DeviceClient::close);
            }
        }
        Files.deleteIfExists(data.managementUriFile());

        Map<String, List<Long>> afterCrash = stored(data);
        for (Map.Entry<String, Set<Long>> device : acked.entrySet()) {
            List<Long> present = afterCrash.getOrDefault(device.getKey(), List.of());
            assertThat(present).as("readings of %s after the halt", device.getKey()).containsAll(device.getValue())
                    .doesNotHaveDuplicates();
        }

        try (ServerProcess server = ServerProcess.start(data.root(), "restarted")) {
            for (int d = 0; d < DEVICES; d++) {
                Set<Long> again = ConcurrentHashMap.newKeySet();
                try (DeviceClient client = new DeviceClient(server.deviceUri(), keys.get(d), serverKey).timeout(30_000)) {
                    send(client, 0, again);
                }
                assertThat(again).as("packs of %s acknowledged after the restart", name(d)).hasSize(PACKS);
            }
        }
        Files.deleteIfExists(data.managementUriFile());
        List<Long> all = new ArrayList<>();
        for (long seq = 0; seq < PACKS; seq++) {
            all.add(seq);
        }
        Map<String, List<Long>> end = stored(data);
        for (int d = 0; d < DEVICES; d++) {
            assertThat(end.get(name(d))).as("readings of %s after the resend", name(d)).containsExactlyElementsOf(all);
        }
    }

    private static String name(int d) {
        return "gc-" + d;
    }

    /** Posts packs from..PACKS-1 in order, noting each acknowledged one; stops at the first that is not. */
    private static Void send(DeviceClient device, long from, Set<Long> acked) {
        for (long seq = from; seq < PACKS && !Thread.currentThread().isInterrupted(); seq++) {
            if (device.send("/t", GroupCommitTest.numbered(seq)).code() != ResponseCode.CHANGED) {
                break;
            }
            acked.add(seq);
        }
        return null;
    }

    /** Each device's stored readings (their values are the packs' numbers), in the order stored, from the file. */
    private static Map<String, List<Long>> stored(DataDir data) {
        Database database = Database.openEmbedded(data.root());
        try {
            return database.inTransaction(c -> {
                Map<String, List<Long>> values = new HashMap<>();
                try (var query = c.prepareStatement("SELECT d.name, t.num_value FROM telemetry t JOIN devices d"
                        + " ON d.id = t.device_id ORDER BY t.id"); var rows = query.executeQuery()) {
                    while (rows.next()) {
                        values.computeIfAbsent(rows.getString(1), n -> new ArrayList<>()).add((long) rows.getDouble(2));
                    }
                }
                return values;
            });
        } finally {
            database.close();
        }
    }
}
