package dev.vigil.server;

import static dev.vigil.server.CrashFixture.DOOMED;
import static dev.vigil.server.CrashFixture.ENROLLING;
import static dev.vigil.server.CrashFixture.IMPORTED;
import static dev.vigil.server.CrashFixture.LOADED;
import static dev.vigil.server.CrashFixture.NEW_OPERATOR;
import static dev.vigil.server.CrashFixture.PROBE_PROFILE;
import static dev.vigil.server.CrashFixture.PROVISIONED;
import static dev.vigil.server.CrashFixture.ROTATING;
import static dev.vigil.server.CrashFixture.SECOND_ADMIN;
import static dev.vigil.server.CrashFixture.SENDER;
import static dev.vigil.server.CrashFixture.TOGGLED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.KeyRotator;
import dev.vigil.device.SenmlCbor;
import dev.vigil.provisioning.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash consistency: the server (or a device) is halted at a crash point ({@code vigil.crashAt}, exit status 137:
 * no shutdown hook, no clean close) in the middle of enrollment, import, activation, key rotation (both sides),
 * decommission, policy apply, operator changes and telemetry, or killed with SIGKILL under load; then restarted
 * on what it left behind. Each case checks that the audit chain verifies, every device has exactly one ACTIVE
 * key (none once decommissioned), the admin can still govern, every reading acknowledged before the crash is
 * there, and the interrupted step happened whole (its effect and its audit record) or not at all — and then
 * that running the step again finishes it.
 *
 * <p>Real components throughout: {@code vigil server} in its own JVM, the real CLI, real DTLS device clients.
 */
class CrashConsistencyTest {

    /** Requests and rotations never hit this: a crashed server's waiters are interrupted instead. */
    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    static Path work;
    private static CrashFixture template;
    private static CrashFixture.Baseline baseline;
    private static final AtomicInteger CASES = new AtomicInteger();

    @BeforeAll
    static void makeTemplate() throws Exception {
        Path root = work.resolve("template");
        baseline = CrashFixture.make(root);
        template = new CrashFixture(root);
    }

    private static CrashFixture copy(String label) throws Exception {
        return template.copyTo(work.resolve(CASES.incrementAndGet() + "-" + label.replaceAll("[^A-Za-z0-9.-]", "_")));
    }

    /** What a server crash interrupts, by the action of its transaction (the name of its crash points). */
    enum Step {
        ENROLL("device.enroll"), IMPORT("device.import"), ACTIVATE("device.activate"), PROPOSE("key.propose"),
        CONFIRM("key.rotated"), DECOMMISSION("device.decommission"), POLICY_APPLY("policy.apply"),
        OPERATOR_ADD("operator.add"), OPERATOR_REMOVE("operator.remove"), TELEMETRY("telemetry");

        final String action;

        Step(String action) {
            this.action = action;
        }
    }

    /** The telemetry step crashes at its third batch: two are acknowledged before it. */
    private static final int CRASHING_BATCH = 3;

    static Stream<Arguments> serverCrashPoints() {
        List<Arguments> cases = new ArrayList<>();
        for (Step step : Step.values()) {
            for (String when : new String[] {"before-commit:", "after-commit:"}) {
                cases.add(Arguments.of(when + step.action + (step == Step.TELEMETRY ? "#" + CRASHING_BATCH : ""), step));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "server halted at {0}")
    @MethodSource("serverCrashPoints")
    void server_halted_at_a_commit_restarts_with_the_step_whole_or_absent_and_nothing_broken(String point, Step step)
            throws Exception {
        at(point, () -> serverHaltedAt(point, step));
    }

    private static void serverHaltedAt(String point, Step step) throws Exception {
        CrashFixture fx = copy(point);
        Map<String, Set<Integer>> acked = new ConcurrentHashMap<>();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server", "vigil.crashAt=" + point)) {
            Driver driver = Driver.start(step.name(), () -> drive(step, fx, server.deviceUri(), acked));
            assertHaltedAt(point, server, driver);
            driver.stop();
        }
        boolean committed = point.startsWith("after-commit:");
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            for (Map.Entry<String, Set<Integer>> device : acked.entrySet()) {
                checks.acknowledgedBatchesPresent(device.getKey(), device.getValue());
            }
            assertThat(effectPresent(step, fx, checks)).as("the effect of %s after a crash %s", step, point)
                    .isEqualTo(committed);
            if (step != Step.TELEMETRY) {
                assertThat(checks.actionsAfter(baseline.auditSeq())).as("audit records after the crash")
                        .filteredOn(step.action::equals).hasSize(committed ? 1 : 0);
            }
            finish(step, committed, fx, node, checks);
            checks.oneActiveKeyPerDevice();
            checks.auditVerifies();
            checks.adminCanStillGovern("gov-check");
        }
    }

    /** Runs the step against the server that will crash in it. */
    private static String drive(Step step, CrashFixture fx, URI devices, Map<String, Set<Integer>> acked)
            throws Exception {
        String data = fx.data().root().toString();
        return switch (step) {
            case ENROLL -> Enrollment.enroll(fx.state(ENROLLING), devices, fx.data().serverPublicKey(),
                    baseline.token(), TIMEOUT_MS).toString();
            case IMPORT -> cli("device", "import", fx.manifest().toString(), "--data", data);
            case ACTIVATE -> sendBatches(fx, PROVISIONED, devices, 1, acked);
            case PROPOSE, CONFIRM -> new KeyRotator(fx.state(ROTATING), devices, serverKey(fx), TIMEOUT_MS).rotate()
                    .name();
            case DECOMMISSION -> {
                // a live session, and a reading acknowledged over it, when the operator decommissions the device
                try (DeviceClient device = client(fx, DOOMED, devices)) {
                    assertThat(send(device, 1)).isEqualTo(ResponseCode.CHANGED);
                    acked.computeIfAbsent(DOOMED, k -> ConcurrentHashMap.newKeySet()).add(1);
                    yield cli("device", "decommission", DOOMED, "--data", data);
                }
            }
            case POLICY_APPLY -> cli("policy", "apply", fx.nextPolicy().toString(), "--data", data);
            case OPERATOR_ADD -> cli("operator", "add", NEW_OPERATOR, "--key", fx.operatorPublicKey(NEW_OPERATOR)
                    .toString(), "--role", "admin", "--data", data);
            case OPERATOR_REMOVE -> cli("operator", "remove", SECOND_ADMIN, "--data", data);
            case TELEMETRY -> sendBatches(fx, SENDER, devices, 10, acked);
        };
    }

    /** Whether the step's effect is in the registry (all of it: a half-done step fails here). */
    private static boolean effectPresent(Step step, CrashFixture fx, CrashChecks checks) throws Exception {
        return switch (step) {
            case ENROLL -> checks.deviceHolds(DeviceKeys.keyId(fx.deviceKey(ENROLLING).getPublic()));
            case IMPORT -> {
                List<Boolean> present = new ArrayList<>();
                for (String name : IMPORTED) {
                    present.add(checks.deviceExists(name));
                }
                assertThat(present).as("a manifest is imported whole or not at all").containsOnly(present.get(0));
                yield present.get(0);
            }
            case ACTIVATE -> !"PROVISIONED".equals(checks.state(PROVISIONED));
            case PROPOSE -> checks.keyStates(ROTATING).contains("PENDING_ROTATION");
            case CONFIRM -> !DeviceKeys.keyId(template.deviceKey(ROTATING).getPublic()).equals(checks.activeKey(ROTATING));
            case DECOMMISSION -> "DECOMMISSIONED".equals(checks.state(DOOMED));
            case POLICY_APPLY -> {
                long version = checks.policyVersion();
                assertThat(version).isBetween(baseline.policyVersion(), baseline.policyVersion() + 1);
                yield version == baseline.policyVersion() + 1;
            }
            case OPERATOR_ADD -> checks.operators().contains(NEW_OPERATOR);
            case OPERATOR_REMOVE -> !checks.operators().contains(SECOND_ADMIN);
            case TELEMETRY -> {
                Set<Integer> stored = checks.storedBatches(SENDER);
                assertThat(stored).as("batches stored").isSubsetOf(Set.of(1, 2, 3)).contains(1, 2);
                yield stored.contains(CRASHING_BATCH);
            }
        };
    }

    /** Runs the interrupted step again on the restarted node, as its user would, and checks it is done. */
    private static void finish(Step step, boolean committed, CrashFixture fx, VigilTestServer node, CrashChecks checks)
            throws Exception {
        URI devices = node.deviceUri();
        switch (step) {
            case ENROLL -> {
                DeviceRun enroll = device("enroll", "--state", fx.state(ENROLLING).toString(), "--server",
                        devices.toString(), "--server-key", fx.data().serverPublicKey().toString(), "--token",
                        baseline.token());
                assertThat(enroll.code()).as("vigil-device enroll again: %s", enroll.err()).isZero();
                assertThat(enroll.out()).startsWith("enrolled as sensor-");
                assertDeviceSends(fx, ENROLLING, devices);
            }
            case IMPORT -> {
                CliRun again = checks.vigil("device", "import", fx.manifest().toString());
                assertThat(again.exitCode()).as("vigil device import again: %s", again.err()).isEqualTo(committed ? 1 : 0);
                if (committed) {
                    assertThat(again.err()).contains("manifest refused, nothing imported").contains("already registered");
                }
                assertDeviceSends(fx, IMPORTED[0], devices);
                assertThat(checks.state(IMPORTED[0])).isEqualTo("ACTIVE");
            }
            case ACTIVATE -> {
                assertDeviceSends(fx, PROVISIONED, devices);
                assertThat(checks.state(PROVISIONED)).isEqualTo("ACTIVE");
            }
            case PROPOSE, CONFIRM -> {
                assertDeviceSends(fx, ROTATING, devices); // with the key files the interrupted rotation left
                checks.deviceFilesAgree(ROTATING);
                DeviceRun rotate = device("rotate", "--state", fx.state(ROTATING).toString(), "--server",
                        devices.toString(), "--server-key", fx.data().serverPublicKey().toString());
                assertThat(rotate.code()).as("vigil-device rotate again: %s", rotate.err()).isZero();
                assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()));
                checks.deviceFilesAgree(ROTATING);
                assertDeviceSends(fx, ROTATING, devices);
            }
            case DECOMMISSION -> {
                if (!committed) {
                    assertDeviceSends(fx, DOOMED, devices);
                }
                CliRun again = checks.vigil("device", "decommission", DOOMED);
                assertThat(again.exitCode()).as("vigil device decommission again: %s", again.err())
                        .isEqualTo(committed ? 1 : 0);
                DeviceRun refused = deviceSend(fx, DOOMED, devices);
                assertThat(refused.code()).as("a decommissioned device sends").isEqualTo(1);
                assertThat(refused.err()).contains("refused the DTLS handshake");
                assertThat(checks.keyStates(DOOMED)).containsOnly("REVOKED");
            }
            case POLICY_APPLY -> {
                CliRun again = checks.vigil("policy", "apply", fx.nextPolicy().toString());
                assertThat(again.exitCode()).as("vigil policy apply again: %s", again.err()).isZero();
                assertThat(checks.policyVersion()).isEqualTo(baseline.policyVersion() + (committed ? 2 : 1));
                Path key = fx.root().resolve("probe.pub.pem");
                PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
                CliRun add = checks.vigil("device", "add", "probe-1", "--key", key.toString(), "--profile", PROBE_PROFILE);
                assertThat(add.exitCode()).as("a device with the applied policy's new profile: %s", add.err()).isZero();
            }
            case OPERATOR_ADD -> {
                CliRun again = checks.vigil("operator", "add", NEW_OPERATOR, "--key",
                        fx.operatorPublicKey(NEW_OPERATOR).toString(), "--role", "admin");
                assertThat(again.exitCode()).as("vigil operator add again: %s", again.err()).isEqualTo(committed ? 1 : 0);
                CliRun bob = checks.as(fx.operatorKey(NEW_OPERATOR), "status");
                assertThat(bob.exitCode()).as("the added operator works: %s", bob.err()).isZero();
            }
            case OPERATOR_REMOVE -> {
                CliRun carol = checks.as(fx.operatorKey(SECOND_ADMIN), "status");
                assertThat(carol.exitCode() == 0).as("operator %s may still connect: %s", SECOND_ADMIN, carol.err())
                        .isEqualTo(!committed);
                CliRun again = checks.vigil("operator", "remove", SECOND_ADMIN);
                assertThat(again.exitCode()).as("vigil operator remove again: %s", again.err())
                        .isEqualTo(committed ? 1 : 0);
                assertThat(checks.as(fx.operatorKey(SECOND_ADMIN), "status").exitCode()).isNotZero();
            }
            case TELEMETRY -> assertDeviceSends(fx, SENDER, devices);
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
        String original = DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic());
        try (VigilTestServer node = VigilTestServer.reopen(fx.root())) {
            Path log = fx.root().resolve("device.log");
            Process device = new ProcessBuilder(java(List.of("-Dvigil.crashAt=" + point), dev.vigil.device.Main.class,
                    "rotate", "--state", fx.state(ROTATING).toString(), "--server", node.deviceUri().toString(),
                    "--server-key", fx.data().serverPublicKey().toString())).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(device.waitFor(3, TimeUnit.MINUTES)).as("vigil-device rotate ended").isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(device.exitValue()).as("exit status of vigil-device rotate: %s", output).isEqualTo(137);
            assertThat(output).contains("crash point " + point + " reached");

            CrashChecks checks = new CrashChecks(node, fx);
            checks.auditVerifies();
            checks.oneActiveKeyPerDevice();
            // the server promotes the new key at the device's handshake with it, whatever the device did next
            boolean promoted = point.equals("rotate:confirmed") || point.equals("rotate:promoted");
            if (promoted) {
                assertThat(checks.activeKey(ROTATING)).as("ACTIVE key after %s", point).isNotEqualTo(original);
                assertThat(checks.keyStates(ROTATING)).containsExactlyInAnyOrder("RETIRED", "ACTIVE");
            } else {
                assertThat(checks.activeKey(ROTATING)).as("ACTIVE key after %s", point).isEqualTo(original);
                assertThat(checks.keyStates(ROTATING)).as("keys after %s", point).containsExactlyInAnyOrder(
                        point.equals("rotate:proposed") ? new String[] {"ACTIVE", "PENDING_ROTATION"}
                                : new String[] {"ACTIVE"});
            }

            assertDeviceSends(fx, ROTATING, node.deviceUri()); // with whatever key files it was left with
            checks.deviceFilesAgree(ROTATING);
            DeviceRun rotate = device("rotate", "--state", fx.state(ROTATING).toString(), "--server",
                    node.deviceUri().toString(), "--server-key", fx.data().serverPublicKey().toString());
            assertThat(rotate.code()).as("vigil-device rotate again: %s", rotate.err()).isZero();
            assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()))
                    .isNotEqualTo(original);
            checks.deviceFilesAgree(ROTATING);
            assertDeviceSends(fx, ROTATING, node.deviceUri());
            checks.oneActiveKeyPerDevice();
            checks.auditVerifies();
        }
    }

    @Test
    void kill_9_while_a_device_streams_and_an_operator_suspends_and_reinstates_loses_nothing_acknowledged()
            throws Exception {
        CrashFixture fx = copy("kill-9-telemetry-and-lifecycle");
        String data = fx.data().root().toString();
        Map<String, Set<Integer>> acked = new ConcurrentHashMap<>();
        CountDownLatch streamed = new CountDownLatch(20);
        CountDownLatch toggled = new CountDownLatch(4);
        AtomicInteger toggles = new AtomicInteger();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server")) {
            Driver stream = Driver.start("stream", () -> {
                try (DeviceClient device = client(fx, LOADED, server.deviceUri())) {
                    for (int batch = 1; batch <= 400 && !Thread.currentThread().isInterrupted(); batch++) {
                        if (send(device, batch) == ResponseCode.CHANGED) {
                            acked.computeIfAbsent(LOADED, k -> ConcurrentHashMap.newKeySet()).add(batch);
                            streamed.countDown();
                        }
                    }
                }
                return "streamed";
            });
            Driver toggle = Driver.start("toggle", () -> {
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
            assertThat(streamed.await(2, TimeUnit.MINUTES)).as("readings acknowledged under load").isTrue();
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
            checks.acknowledgedBatchesPresent(LOADED, acked.get(LOADED));
            List<JsonNode> changes = checks.records(baseline.auditSeq()).stream()
                    .filter(e -> TOGGLED.equals(e.path("target").asText())).toList();
            assertThat(changes.size()).as("suspend/reinstate records, %d acknowledged", toggles.get())
                    .isBetween(toggles.get(), toggles.get() + 1);
            assertThat("state=" + checks.state(TOGGLED)).as("state of %s against its last audit record", TOGGLED)
                    .isEqualTo(changes.get(changes.size() - 1).path("after").asText());
            assertThat(checks.records(baseline.auditSeq())).extracting(e -> e.path("action").asText())
                    .doesNotContain("operator.recover");
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
        Path original = fx.originalPolicy();
        try (ServerProcess server = ServerProcess.start(fx.data().root(), "server")) {
            Driver rotations = Driver.start("rotations", () -> {
                KeyRotator rotator = new KeyRotator(fx.state(ROTATING), server.deviceUri(), serverKey(fx), TIMEOUT_MS);
                while (!Thread.currentThread().isInterrupted()) {
                    KeyRotator.Result result = rotator.rotate();
                    if (result != KeyRotator.Result.ROTATED) {
                        return result.name();
                    }
                    rotated.countDown();
                }
                return "rotated";
            });
            Driver governance = Driver.start("governance", () -> {
                for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                    Path key = fx.root().resolve("op-" + i + ".pub.pem");
                    PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
                    for (String[] command : new String[][] {
                        {"policy", "apply", (i % 2 == 0 ? fx.nextPolicy() : original).toString()},
                        {"operator", "add", "op-" + i, "--key", key.toString(), "--role", "auditor"},
                        {"operator", "remove", "op-" + i}}) {
                        List<String> args = new ArrayList<>(List.of(command));
                        args.addAll(List.of("--data", data));
                        String run = cli(args.toArray(String[]::new));
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
            List<JsonNode> records = checks.records(baseline.auditSeq());
            long applies = records.stream().filter(e -> e.path("action").asText().equals("policy.apply")).count();
            assertThat(applies).as("policy.apply records, %d acknowledged", applied.get())
                    .isBetween((long) applied.get(), applied.get() + 1L);
            assertThat(checks.policyVersion()).as("the policy in force").isEqualTo(baseline.policyVersion() + applies);
            Map<String, String> lastChange = new LinkedHashMap<>();
            records.stream().filter(e -> e.path("action").asText().startsWith("operator."))
                    .forEach(e -> lastChange.put(e.path("target").asText(), e.path("action").asText()));
            Set<String> operators = checks.operators();
            lastChange.forEach((name, action) -> assertThat(operators.contains(name))
                    .as("operator %s, last audited %s", name, action).isEqualTo(action.equals("operator.add")));

            assertDeviceSends(fx, ROTATING, node.deviceUri()); // with the key files the killed rotation left
            DeviceRun rotate = device("rotate", "--state", fx.state(ROTATING).toString(), "--server",
                    node.deviceUri().toString(), "--server-key", fx.data().serverPublicKey().toString());
            assertThat(rotate.code()).as("vigil-device rotate again: %s", rotate.err()).isZero();
            assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()));
            checks.deviceFilesAgree(ROTATING);
            checks.adminCanStillGovern("gov-check");
        }
    }

    // ---- helpers

    /** Something a case does that may throw. */
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

    /** Waits until the server died or the step ended; it must have died, at the point, with status 137. */
    private static void assertHaltedAt(String point, ServerProcess server, Driver driver) throws Exception {
        CompletableFuture.anyOf(server.process().onExit(), driver.done()).get(3, TimeUnit.MINUTES);
        if (server.process().isAlive()) {
            fail("the server never reached crash point " + point + "; the step ended first: " + driver.outcome());
        }
        assertThat(server.process().exitValue()).as("exit status: %s", server.log()).isEqualTo(137);
        assertThat(server.log()).contains("crash point " + point + " reached");
    }

    /** One SenML batch: {@code seq} = n and {@code half} = n + 0.5, stored together or not at all. */
    static byte[] batch(int n) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("seq", (double) n);
        values.put("half", n + 0.5);
        return SenmlCbor.encode(values);
    }

    private static ResponseCode send(DeviceClient device, int n) {
        return device.sendTelemetry(batch(n)).code();
    }

    /** Sends batches 1..count over one session, recording each acknowledged one; stops at the first that is not. */
    private static String sendBatches(CrashFixture fx, String name, URI devices, int count,
            Map<String, Set<Integer>> acked) {
        try (DeviceClient device = client(fx, name, devices)) {
            for (int n = 1; n <= count; n++) {
                DeviceClient.Outcome outcome = device.sendTelemetry(batch(n));
                if (outcome.code() != ResponseCode.CHANGED) {
                    return "batch " + n + ": " + outcome;
                }
                acked.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(n);
            }
        }
        return count + " batches acknowledged";
    }

    private static DeviceClient client(CrashFixture fx, String name, URI devices) {
        return new DeviceClient(devices, fx.deviceKey(name), serverKey(fx)).timeout(TIMEOUT_MS);
    }

    private static java.security.PublicKey serverKey(CrashFixture fx) {
        try {
            return PemFiles.readPublicKey(fx.data().serverPublicKey());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code vigil ARGS...} in-process; returns "EXIT out err" for the step's outcome. */
    private static String cli(String... args) {
        CliRun run = CliRun.vigil(args);
        return run.exitCode() + " " + run.out().strip() + " " + run.err().strip();
    }

    /** {@code vigil-device send} with the files in the device's state directory: exit 0 and 2.04. */
    private static void assertDeviceSends(CrashFixture fx, String name, URI devices) {
        DeviceRun send = deviceSend(fx, name, devices);
        assertThat(send.code()).as("vigil-device send of %s: %s%s", name, send.out(), send.err()).isZero();
    }

    private static DeviceRun deviceSend(CrashFixture fx, String name, URI devices) {
        return device("send", "--state", fx.state(name).toString(), "--server", devices.toString(), "--server-key",
                fx.data().serverPublicKey().toString(), "--value", "x=1", "--timeout", "30");
    }

    /** The outcome of {@code vigil-device ...} run in-process. */
    record DeviceRun(int code, String out, String err) {
    }

    static DeviceRun device(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = dev.vigil.device.Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new DeviceRun(code, out.toString(), err.toString());
    }

    /** {@code java [options] MAIN args...} on this JVM's class path. */
    private static List<String> java(List<String> options, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ServerProcess.JVM_OPTIONS);
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * A step run on a thread of its own, so the test can wait for the server to die instead; {@link #stop()}
     * interrupts whatever it still waits for (a crashed server never answers) and waits for it to end.
     */
    static final class Driver {
        private final Thread thread;
        private final CompletableFuture<String> done = new CompletableFuture<>();

        private Driver(String name, Callable<?> step) {
            thread = new Thread(() -> {
                try {
                    done.complete(String.valueOf(step.call()));
                } catch (Throwable e) {
                    done.complete("failed: " + e);
                }
            }, "crash-driver-" + name);
            thread.setDaemon(true);
        }

        static Driver start(String name, Callable<?> step) {
            Driver driver = new Driver(name, step);
            driver.thread.start();
            return driver;
        }

        CompletableFuture<String> done() {
            return done;
        }

        String outcome() {
            return done.getNow("(still running)");
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(TimeUnit.MINUTES.toMillis(1));
            assertThat(thread.isAlive()).as("%s still running after its server died", thread.getName()).isFalse();
        }
    }
}
