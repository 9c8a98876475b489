package dev.vigil.server;

import static dev.vigil.server.CrashFixture.DOOMED;
import static dev.vigil.server.CrashFixture.ENROLLING;
import static dev.vigil.server.CrashFixture.IMPORTED;
import static dev.vigil.server.CrashFixture.NEW_OPERATOR;
import static dev.vigil.server.CrashFixture.PROBE_PROFILE;
import static dev.vigil.server.CrashFixture.PROVISIONED;
import static dev.vigil.server.CrashFixture.ROTATING;
import static dev.vigil.server.CrashFixture.SECOND_ADMIN;
import static dev.vigil.server.CrashFixture.SENDER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.provisioning.keys.PemFiles;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;

/**
 * A step a server crash interrupts, named by the audit action of its transaction (the name of its crash
 * points): how its user runs it, whether its effect is in the registry, and how its user finishes it after
 * the restart.
 */
enum CrashStep {
    ENROLL("device.enroll"), IMPORT("device.import"), ACTIVATE("device.activate"), PROPOSE("key.propose"),
    CONFIRM("key.rotated"), DECOMMISSION("device.decommission"), POLICY_APPLY("policy.apply"),
    OPERATOR_ADD("operator.add"), OPERATOR_REMOVE("operator.remove"), TELEMETRY("telemetry");

    /** The telemetry step crashes at its third batch: two are acknowledged before it. */
    static final int CRASHING_BATCH = 3;

    final String action;

    CrashStep(String action) {
        this.action = action;
    }

    /** The crash point {@code before-commit:ACTION} or {@code after-commit:ACTION} (telemetry: at its third batch). */
    String point(boolean afterCommit) {
        return (afterCommit ? "after-commit:" : "before-commit:") + action
                + (this == TELEMETRY ? "#" + CRASHING_BATCH : "");
    }

    /** Runs the step, as its user would, against the server that will crash in it; returns its outcome. */
    String drive(CrashFixture fx, URI devices, Acknowledged acked) throws Exception {
        String data = fx.data().root().toString();
        return switch (this) {
            case ENROLL -> Enrollment.enroll(fx.state(ENROLLING), devices, fx.data().serverPublicKey(),
                    fx.baseline().token(), CrashFixture.TIMEOUT_MS).toString();
            case IMPORT -> cli("device", "import", fx.manifest().toString(), "--data", data);
            case ACTIVATE -> fx.sendBatches(PROVISIONED, devices, 1, acked); // its first handshake activates it
            case PROPOSE, CONFIRM -> fx.rotator(ROTATING, devices).rotate().name();
            case DECOMMISSION -> {
                // a live session, and a reading acknowledged over it, when the operator decommissions the device
                try (DeviceClient device = fx.client(DOOMED, devices)) {
                    assertThat(device.sendTelemetry(CrashFixture.batch(1)).code()).isEqualTo(ResponseCode.CHANGED);
                    acked.add(DOOMED, 1);
                    yield cli("device", "decommission", DOOMED, "--data", data);
                }
            }
            case POLICY_APPLY -> cli("policy", "apply", fx.nextPolicy().toString(), "--data", data);
            case OPERATOR_ADD -> cli("operator", "add", NEW_OPERATOR, "--key",
                    fx.operatorPublicKey(NEW_OPERATOR).toString(), "--role", "admin", "--data", data);
            case OPERATOR_REMOVE -> cli("operator", "remove", SECOND_ADMIN, "--data", data);
            case TELEMETRY -> fx.sendBatches(SENDER, devices, 10, acked);
        };
    }

    /** Whether the step's effect is in the registry — all of it: a half-done step fails here. */
    boolean effectPresent(CrashFixture fx, CrashChecks checks) throws Exception {
        return switch (this) {
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
            case CONFIRM -> !fx.baseline().rotatingKeyId().equals(checks.activeKey(ROTATING));
            case DECOMMISSION -> "DECOMMISSIONED".equals(checks.state(DOOMED));
            case POLICY_APPLY -> {
                long version = checks.policyVersion();
                assertThat(version).isBetween(fx.baseline().policyVersion(), fx.baseline().policyVersion() + 1);
                yield version == fx.baseline().policyVersion() + 1;
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

    /**
     * Runs the step again on the restarted node, as its user would after a crash, and checks it is done: what
     * was committed is refused as done already, what was not now happens, and the device gets on with the
     * files it was left with.
     */
    void finish(boolean committed, CrashFixture fx, CrashChecks checks) throws Exception {
        switch (this) {
            case ENROLL -> {
                DeviceCliRun enroll = checks.vigilDevice("enroll", ENROLLING, "--token", fx.baseline().token());
                assertThat(enroll.exitCode()).as("vigil-device enroll again: %s", enroll.err()).isZero();
                assertThat(enroll.out()).startsWith("enrolled as sensor-");
                checks.deviceSends(ENROLLING);
            }
            case IMPORT -> {
                CliRun again = checks.vigil("device", "import", fx.manifest().toString());
                assertThat(again.exitCode()).as("vigil device import again: %s", again.err())
                        .isEqualTo(committed ? 1 : 0);
                if (committed) {
                    assertThat(again.err()).contains("manifest refused, nothing imported")
                            .contains("already registered");
                }
                checks.deviceSends(IMPORTED[0]);
                assertThat(checks.state(IMPORTED[0])).isEqualTo("ACTIVE");
            }
            case ACTIVATE -> {
                checks.deviceSends(PROVISIONED);
                assertThat(checks.state(PROVISIONED)).isEqualTo("ACTIVE");
            }
            case PROPOSE, CONFIRM -> {
                checks.deviceSends(ROTATING); // with the key files the interrupted rotation left
                checks.deviceFilesAgree(ROTATING);
                DeviceCliRun rotate = checks.vigilDevice("rotate", ROTATING);
                assertThat(rotate.exitCode()).as("vigil-device rotate again: %s", rotate.err()).isZero();
                assertThat(checks.activeKey(ROTATING)).isEqualTo(DeviceKeys.keyId(fx.deviceKey(ROTATING).getPublic()));
                checks.deviceFilesAgree(ROTATING);
                checks.deviceSends(ROTATING);
            }
            case DECOMMISSION -> {
                if (!committed) {
                    checks.deviceSends(DOOMED);
                }
                CliRun again = checks.vigil("device", "decommission", DOOMED);
                // idempotent (issue 14): "already DECOMMISSIONED" is success, committed or not
                assertThat(again.exitCode()).as("vigil device decommission again: %s", again.err()).isZero();
                DeviceCliRun refused = checks.vigilDevice("send", DOOMED, "--value", "x=1");
                assertThat(refused.exitCode()).as("a decommissioned device sends").isEqualTo(1);
                assertThat(refused.err()).contains("refused the DTLS handshake");
                assertThat(checks.keyStates(DOOMED)).containsOnly("REVOKED");
            }
            case POLICY_APPLY -> {
                CliRun again = checks.vigil("policy", "apply", fx.nextPolicy().toString());
                assertThat(again.exitCode()).as("vigil policy apply again: %s", again.err()).isZero();
                // an unchanged policy is no new version (issue 14): once committed, applying it again changes nothing
                assertThat(checks.policyVersion()).isEqualTo(fx.baseline().policyVersion() + 1);
                Path key = fx.root().resolve("probe.pub.pem");
                PemFiles.writePublicKey(key, PemFiles.generateP256().getPublic());
                CliRun add = checks.vigil("device", "add", "probe-1", "--key", key.toString(), "--profile",
                        PROBE_PROFILE);
                assertThat(add.exitCode()).as("a device with the applied policy's new profile: %s", add.err()).isZero();
            }
            case OPERATOR_ADD -> {
                CliRun again = checks.vigil("operator", "add", NEW_OPERATOR, "--key",
                        fx.operatorPublicKey(NEW_OPERATOR).toString(), "--role", "admin");
                assertThat(again.exitCode()).as("vigil operator add again: %s", again.err())
                        .isEqualTo(committed ? 1 : 0);
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
            case TELEMETRY -> checks.deviceSends(SENDER);
        }
    }

    /** {@code vigil ARGS...} in-process; the outcome as "EXIT out err". */
    static String cli(String... args) {
        CliRun run = CliRun.vigil(args);
        return run.exitCode() + " " + run.out().strip() + " " + run.err().strip();
    }
}
