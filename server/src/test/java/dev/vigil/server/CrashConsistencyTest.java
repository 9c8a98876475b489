package dev.vigil.server;

import static dev.vigil.server.CrashFixture.LOADED;
import static dev.vigil.server.CrashFixture.ROTATING;
import static dev.vigil.server.CrashFixture.TOGGLED;
import static dev.vigil.server.CrashStep.cli;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.KeyRotator;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash consistency: the server (or a device) is halted at a crash point ({@code vigil.crashAt}, exit status 137:
 * no shutdown hook, no clean close) in the middle of enrollment, import, activation, key rotation (both sides),
 * decommission, policy apply, operator changes and telemetry, or killed with SIGKILL under load; then restarted
 * on what it left behind. Each case checks that the audit chain verifies, every device has exactly one ACTIVE
 * key (none once decommissioned), the admin can still govern, every reading acknowledged before the crash is
 * there, and the interrupted step happened whole (its effect and its audit record) or not at all — and then
 * that running the step again finishes it.
 *
 * <p>Real components throughout: {@code vigil server} in its own JVM ({@link ServerProcess}), the real CLIs,
 * real DTLS device clients; each case on a copy of one prepared data directory ({@link CrashFixture}).
 */
class CrashConsistencyTest {

    @TempDir
    static Path work;
    private static CrashFixture template;
    private static final AtomicInteger CASES = new AtomicInteger();

    @BeforeAll
    static void makeTemplate() throws Exception {
        template = CrashFixture.make(work.resolve("template"));
    }

    private static CrashFixture copy(String label) throws Exception {
        return template.copyTo(work.resolve(CASES.incrementAndGet() + "-" + label.replaceAll("[^A-Za-z0-9.-]", "_")));
    }

    static Stream<Arguments> serverCrashPoints() {
        List<Arguments> cases = new ArrayList<>();
        for (CrashStep step : CrashStep.values()) {
            cases.add(Arguments.of(step.point(false), step));
            cases.add(Arguments.of(step.point(true), step));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "server halted at {0}")
    @MethodSource("serverCrashPoints")
    void server_halted_at_a_commit_restarts_with_the_step_whole_or_absent_and_nothing_broken(String point,
            CrashStep step) throws Exception {
        at(point, () -> serverHaltedAt(point, step));
    }

    private static void serverHaltedAt(String point, CrashStep step) throws Exception {
        CrashFixture fx = copy(point);
        Acknowledged acked = new Acknowledged();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server", "vigil.crashAt=" + point)) {
            CrashDriver driver = CrashDriver.start(step.name(), () -> step.drive(fx, server.deviceUri(), acked));
            assertHaltedAt(point, server, driver);
            driver.stop();
        }
        boolean committed = point.startsWith("after-commit:");
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            for (Map.Entry<String, Set<Integer>> device : acked.all().entrySet()) {
                checks.acknowledgedBatchesPresent(device.getKey(), device.getValue());
            }
            assertThat(step.effectPresent(fx, checks)).as("the effect of %s", step).isEqualTo(committed);
            if (step != CrashStep.TELEMETRY) {
                assertThat(checks.actionsAfter(fx.baseline().auditSeq())).as("audit records after the crash")
                        .filteredOn(step.action::equals).hasSize(committed ? 1 : 0);
            }
            step.finish(committed, fx, checks);
            checks.oneActiveKeyPerDevice();
            checks.auditVerifies();
            checks.adminCanStillGovern("gov-check");
        }
    }

    static Stream<String> deviceCrashPoints() {
        return Stream.of("rotate:next-key-created", "rotate:next-key-written", "rotate:proposed", "rotate:confirmed",
                "rotate:promoted");
    }

    @ParameterizedTest(name = "vigil-device rotate halted at {0}")
    @MethodSource("deviceCrashPoints")
    void device_halted_during_its_key_rotation_still_connects_and_finishes_it_when_run_again(String point)
            throws Exception {
        at(point, () -> deviceHaltedAt(point));
    }

    private static void deviceHaltedAt(String point) throws Exception {
        CrashFixture fx = copy(point);
        String original = fx.baseline().rotatingKeyId();
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            Path log = fx.root().resolve("device.log");
            List<String> command = new ArrayList<>(ServerProcess.java("-Dvigil.crashAt=" + point));
            command.addAll(List.of(dev.vigil.device.Main.class.getName(), "rotate", "--state",
                    fx.state(ROTATING).toString(), "--server", node.deviceUri().toString(), "--server-key",
                    fx.data().serverPublicKey().toString()));
            Process device = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(device.waitFor(3, TimeUnit.MINUTES)).as("vigil-device rotate ended").isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(device.exitValue()).as("exit status of vigil-device rotate: %s", output).isEqualTo(137);
            assertThat(output).contains("crash point " + point + " reached");

            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            // the server promotes the new key at the device's handshake with it, whatever the device did next
            if (point.equals("rotate:confirmed") || point.equals("rotate:promoted")) {
                assertThat(checks.activeKey(ROTATING)).as("ACTIVE key").isNotEqualTo(original);
                assertThat(checks.keyStates(ROTATING)).containsExactlyInAnyOrder("RETIRED", "ACTIVE");
            } else {
                assertThat(checks.activeKey(ROTATING)).as("ACTIVE key").isEqualTo(original);
                assertThat(checks.keyStates(ROTATING)).containsExactlyInAnyOrder(point.equals("rotate:proposed")
                        ? new String[] {"ACTIVE", "PENDING_ROTATION"} : new String[] {"ACTIVE"});
            }

            checks.deviceSends(ROTATING); // with whatever key files it was left with
            checks.deviceFilesAgree(ROTATING);
            DeviceCliRun rotate = checks.vigilDevice("rotate", ROTATING);
            assertThat(rotate.exitCode()).as("vigil-device rotate again: %s", rotate.err()).isZero();
            assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()))
                    .isNotEqualTo(original);
            checks.deviceFilesAgree(ROTATING);
            checks.deviceSends(ROTATING);
            checks.oneActiveKeyPerDevice();
            checks.auditVerifies();
        }
    }

    @Test
    void sigterm_saves_the_trust_engine_state_before_the_database_closes() throws Exception {
        CrashFixture fx = copy("sigterm");
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server")) {
            try (DeviceClient device = fx.client(LOADED, server.deviceUri())) {
                for (int batch = 1; batch <= 5; batch++) {
                    assertThat(device.sendTelemetry(CrashFixture.batch(batch)).code()).isEqualTo(ResponseCode.CHANGED);
                }
            }
            server.process().destroy(); // SIGTERM: the shutdown hook stops the node
            assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.log()).doesNotContain("Exception").doesNotContain("already closed")
                    .contains("event=started").contains("event=stopping").contains("event=stopped");
        }
        Database database = Database.openEmbedded(fx.data().root());
        try {
            long saved = database.inTransaction(c -> {
                try (var query = c.prepareStatement("SELECT COUNT(*) FROM trust_states t JOIN devices d"
                        + " ON d.id = t.device_id WHERE d.name = ?")) {
                    query.setString(1, LOADED);
                    try (var rows = query.executeQuery()) {
                        rows.next();
                        return rows.getLong(1);
                    }
                }
            });
            assertThat(saved).as("the device's trust state, saved at the stop").isEqualTo(1);
        } finally {
            database.close();
        }
    }

    @Test
    void kill_9_while_a_device_streams_and_an_operator_suspends_and_reinstates_loses_nothing_acknowledged()
            throws Exception {
        CrashFixture fx = copy("kill-9-telemetry-and-lifecycle");
        String data = fx.data().root().toString();
        Acknowledged acked = new Acknowledged();
        CountDownLatch streamed = new CountDownLatch(20);
        CountDownLatch toggled = new CountDownLatch(4);
        AtomicInteger toggles = new AtomicInteger();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server")) {
            CrashDriver stream = CrashDriver.start("stream", () -> {
                try (DeviceClient device = fx.client(LOADED, server.deviceUri())) {
                    // at most 400 batches: 800 readings, all within one telemetry.tail page
                    for (int batch = 1; batch <= 400 && !Thread.currentThread().isInterrupted(); batch++) {
                        if (device.sendTelemetry(CrashFixture.batch(batch)).code() == ResponseCode.CHANGED) {
                            acked.add(LOADED, batch);
                            streamed.countDown();
                        }
                    }
                }
                return "streamed";
            });
            CrashDriver toggle = CrashDriver.start("toggle", () -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    String run = cli("device", i % 2 == 0 ? "suspend" : "reinstate", TOGGLED, "--data", data);
                    if (!run.startsWith("0 ")) {
                        return run;
                    }
                    toggles.incrementAndGet();
                    toggled.countDown();
                }
                return "toggled";
            });
            assertThat(streamed.await(2, TimeUnit.MINUTES)).as("readings under load: %s", stream.outcome()).isTrue();
            assertThat(toggled.await(2, TimeUnit.MINUTES)).as("suspend/reinstate under load: %s", toggle.outcome())
                    .isTrue();

            // while this server holds the database: vigil recover refuses with one line, and leaves nothing behind
            CliRun recover = CliRun.vigil("recover", "--data", data, "--name", "rescue");
            assertThat(recover.exitCode()).isEqualTo(1);
            assertThat(recover.errLines()).containsExactly("vigil recover: another process (a running server?) is"
                    + " using the database in " + data);
            assertThat(recover.out()).isEmpty();
            assertThat(fx.data().root().resolve("operator-rescue.pem")).doesNotExist();

            assertThat(server.kill9()).as("exit status after kill -9").isEqualTo(137);
            stream.stop();
            toggle.stop();
        }
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            checks.acknowledgedBatchesPresent(LOADED, acked.of(LOADED));
            List<JsonNode> records = checks.records(fx.baseline().auditSeq());
            List<JsonNode> changes = records.stream().filter(e -> TOGGLED.equals(e.path("target").asText())).toList();
            assertThat(changes.size()).as("suspend/reinstate records, %d acknowledged", toggles.get())
                    .isBetween(toggles.get(), toggles.get() + 1);
            assertThat("state=" + checks.state(TOGGLED)).as("state of %s against its last audit record", TOGGLED)
                    .isEqualTo(changes.get(changes.size() - 1).path("after").asText());
            assertThat(records).extracting(e -> e.path("action").asText()).doesNotContain("operator.recover");
            checks.adminCanStillGovern("gov-check");
        }
    }

    @Test
    void kill_9_while_a_device_rotates_and_the_admin_applies_policy_and_changes_operators_locks_no_one_out()
            throws Exception {
        CrashFixture fx = copy("kill-9-rotation-and-governance");
        String data = fx.data().root().toString();
        CountDownLatch rotated = new CountDownLatch(2);
        CountDownLatch governed = new CountDownLatch(6);
        AtomicInteger applied = new AtomicInteger();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server")) {
            CrashDriver rotations = CrashDriver.start("rotations", () -> {
                KeyRotator rotator = fx.rotator(ROTATING, server.deviceUri());
                while (!Thread.currentThread().isInterrupted()) {
                    KeyRotator.Result result = rotator.rotate();
                    if (result != KeyRotator.Result.ROTATED) {
                        return result.name();
                    }
                    rotated.countDown();
                }
                return "rotated";
            });
            CrashDriver governance = CrashDriver.start("governance", () -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    Path key = fx.root().resolve("op-" + i + ".pub.pem");
                    PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
                    Path policy = i % 2 == 0 ? fx.nextPolicy() : fx.originalPolicy();
                    for (String[] command : new String[][] {{"policy", "apply", policy.toString(), "--data", data},
                        {"operator", "add", "op-" + i, "--key", key.toString(), "--role", "auditor", "--data", data},
                        {"operator", "remove", "op-" + i, "--data", data}}) {
                        String run = cli(command);
                        if (!run.startsWith("0 ")) {
                            return run;
                        }
                        if (command[0].equals("policy")) {
                            applied.incrementAndGet();
                        }
                        governed.countDown();
                    }
                }
                return "governed";
            });
            assertThat(rotated.await(2, TimeUnit.MINUTES)).as("rotations under load: %s", rotations.outcome()).isTrue();
            assertThat(governed.await(2, TimeUnit.MINUTES)).as("governance under load: %s", governance.outcome())
                    .isTrue();
            assertThat(server.kill9()).as("exit status after kill -9").isEqualTo(137);
            rotations.stop();
            governance.stop();
        }
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            List<JsonNode> records = checks.records(fx.baseline().auditSeq());
            long applies = records.stream().filter(e -> e.path("action").asText().equals("policy.apply")).count();
            assertThat(applies).as("policy.apply records, %d acknowledged", applied.get())
                    .isBetween((long) applied.get(), applied.get() + 1L);
            assertThat(checks.policyVersion()).as("the policy in force")
                    .isEqualTo(fx.baseline().policyVersion() + applies);
            Map<String, String> lastChange = new LinkedHashMap<>();
            records.stream().filter(e -> e.path("action").asText().startsWith("operator."))
                    .forEach(e -> lastChange.put(e.path("target").asText(), e.path("action").asText()));
            Set<String> operators = checks.operators();
            lastChange.forEach((name, action) -> assertThat(operators.contains(name))
                    .as("operator %s, last audited %s", name, action).isEqualTo(action.equals("operator.add")));

            checks.deviceSends(ROTATING); // with the key files the killed rotation left
            checks.deviceFilesAgree(ROTATING);
            DeviceCliRun rotate = checks.vigilDevice("rotate", ROTATING);
            assertThat(rotate.exitCode()).as("vigil-device rotate again: %s", rotate.err()).isZero();
            assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()));
            checks.deviceFilesAgree(ROTATING);
            checks.adminCanStillGovern("gov-check");
        }
    }

    /** Waits until the server died or the step ended; it must have died, at the point, with status 137. */
    private static void assertHaltedAt(String point, ServerProcess server, CrashDriver driver) throws Exception {
        CompletableFuture.anyOf(server.process().onExit(), driver.done()).get(3, TimeUnit.MINUTES);
        if (server.process().isAlive()) {
            fail("the server never reached crash point " + point + "; the step ended first: " + driver.outcome());
        }
        assertThat(server.process().exitValue()).as("exit status: %s", server.log()).isEqualTo(137);
        assertThat(server.log()).contains("crash point " + point + " reached");
    }

    /** Something a case does. */
    @FunctionalInterface
    private interface Case {
        void run() throws Exception;
    }

    /** Runs a case, naming its crash point in any failure (reports show parameterised cases by index only). */
    private static void at(String point, Case body) throws Exception {
        try {
            body.run();
        } catch (AssertionError e) {
            AssertionError named = new AssertionError("[crash point " + point + "] " + e.getMessage(), e.getCause());
            named.setStackTrace(e.getStackTrace());
            throw named;
        }
    }
}
