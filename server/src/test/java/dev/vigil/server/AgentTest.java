package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceKeys;
import dev.vigil.device.Enrollment;
import dev.vigil.device.agent.Agent;
import dev.vigil.device.agent.AgentConfig;
import dev.vigil.device.agent.AgentStatus;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.firmware.CoseSign1;
import dev.vigil.provisioning.firmware.FirmwareManifest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device agent ({@code vigil-device run}) against a real node over a link that loses, rebinds and goes
 * down ({@link LinkRelay}): what the server stores is every reading the agent took, each exactly once.
 */
class AgentTest {

    private VigilTestServer server;
    private LinkRelay link;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        link = new LinkRelay(deviceAddress());
    }

    @AfterEach
    void stop() throws Exception {
        link.close();
        server.close();
    }

    private InetSocketAddress deviceAddress() {
        return new InetSocketAddress("127.0.0.1", server.deviceUri().getPort());
    }

    /** A registered device whose state directory the agent runs in; pinned TRUSTED (a test's pace is a flood). */
    private Path device(String name, String profile) throws Exception {
        Path state = server.scratch(name);
        KeyPair key = DeviceKeys.generate(state);
        server.addDevice(name, key.getPublic(), profile);
        server.admin("device.trust.pin", VigilTestServer.args().put("name", name).put("tier", "TRUSTED"));
        return state;
    }

    private AgentConfig config(Path state, String... settings) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("server", "coaps://127.0.0.1:" + link.port());
        values.put("server-key", server.dataDir().serverPublicKey().toString());
        values.put("interval", "100ms");
        values.put("sources", "sim");
        values.put("timeout", "1s");
        values.put("backoff-max", "400ms");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        return AgentConfig.load(state, values);
    }

    /** Runs the agent for {@code ticks} intervals, then more until its queue is empty (at most 100 more). */
    private JsonNode runUntilDrained(AgentConfig config, int ticks) throws Exception {
        try (Agent agent = new Agent(config)) {
            agent.run(ticks);
        }
        for (int extra = 0; extra < 20 && AgentStatus.read(config.state()).path("queueDepth").asInt() > 0; extra++) {
            try (Agent agent = new Agent(config)) {
                agent.run(5);
            }
        }
        return AgentStatus.read(config.state());
    }

    private static long taken(JsonNode status) {
        return status.path("nextSeq").asLong() - 1; // sequence numbers start at 1
    }

    /** {@code vigil-device run} in a JVM of its own, for {@code ticks} intervals. */
    private Process agentProcess(Path state, int ticks, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(ServerProcess.java(jvmOptions));
        command.addAll(List.of(dev.vigil.device.Main.class.getName(), "run", "--state", state.toString(), "--server",
                "coaps://127.0.0.1:" + link.port(), "--server-key", server.dataDir().serverPublicKey().toString(),
                "--interval", "50ms", "--sources", "sim", "--timeout", "1s", "--ticks", Integer.toString(ticks)));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(state.resolveSibling(state.getFileName() + ".log").toFile()).start();
    }

    private String log(Path state) throws Exception {
        return Files.readString(state.resolveSibling(state.getFileName() + ".log"));
    }

    @Test
    void every_reading_the_agent_takes_is_stored_once_and_the_queue_empties() throws Exception {
        Path state = device("pi-1", "gateway");
        JsonNode status = runUntilDrained(config(state), 15);
        assertThat(status.path("queueDepth").asInt()).isZero();
        assertThat(taken(status)).isGreaterThanOrEqualTo(15);
        assertThat(server.readings("pi-1")).hasSize((int) taken(status));
        assertThat(server.readings("pi-1").get(0).path("name").asText()).isEqualTo("sim-temp");
        assertThat(status.path("today").path("fullHandshakes").asInt()).as("one session for the whole run").isEqualTo(1);
    }

    @Test
    void readings_taken_while_the_server_is_down_queue_and_drain_in_packs_when_it_returns() throws Exception {
        Path state = device("pi-2", "gateway");
        AgentConfig config = config(state);
        try (Agent agent = new Agent(config)) {
            agent.run(3);
        }
        link.down(true);
        server.restart(); // it comes back on another port; the link follows
        link.serverAt(deviceAddress());
        try (Agent agent = new Agent(config)) {
            agent.run(25); // 2.5 s of readings with nobody answering
        }
        JsonNode during = AgentStatus.read(state);
        assertThat(during.path("queueDepth").asInt()).as("queued on disk while down").isGreaterThanOrEqualTo(20);
        long requestsBefore = link.upDatagrams.get();
        link.down(false);
        JsonNode after = runUntilDrained(config, 1);
        assertThat(after.path("queueDepth").asInt()).isZero();
        assertThat(server.readings("pi-2")).hasSize((int) taken(after));
        assertThat(link.upDatagrams.get() - requestsBefore).as("drained in packs of 10, not one by one")
                .isLessThan(during.path("queueDepth").asInt());
    }

    @Test
    void twenty_percent_packet_loss_loses_no_reading_and_duplicates_none() throws Exception {
        Path state = device("pi-3", "gateway");
        link.loss(0.2);
        JsonNode status = runUntilDrained(config(state, "timeout", "2s"), 30);
        assertThat(link.dropped.get()).as("the link did lose datagrams").isPositive();
        assertThat(status.path("queueDepth").asInt()).isZero();
        assertThat(server.readings("pi-3")).hasSize((int) taken(status));
    }

    @Test
    void with_send_every_five_the_readings_go_five_to_a_request() throws Exception {
        Path state = device("pi-batch", "gateway");
        JsonNode status = runUntilDrained(config(state, "send-every", "5"), 10);
        assertThat(server.readings("pi-batch")).hasSize(10);
        assertThat(status.path("today").path("requests").asInt()).isEqualTo(2);
        assertThat(status.path("today").path("readingsSent").asInt()).isEqualTo(10);
    }

    @Test
    void a_firmware_download_cut_midway_goes_on_from_the_block_it_lacks_then_installs() throws Exception {
        KeyPair signer = PemFiles.generateP256();
        server.admin("firmware.key.add", VigilTestServer.args().put("name", "release")
                .put("publicKey", PemFiles.publicKeyPem(signer.getPublic())));
        byte[] image = new byte[64 * 1024];
        new Random(5).nextBytes(image);
        server.admin("firmware.publish", VigilTestServer.args()
                .put("manifest", Base64.getEncoder().encodeToString(CoseSign1.sign(
                        FirmwareManifest.of(image, 2, "vigil", "gateway", "1.1.0").encode(), signer.getPrivate())))
                .put("image", Base64.getEncoder().encodeToString(image)));
        Path state = device("pi-fw", "gateway");
        server.admin("firmware.rollout", VigilTestServer.args().put("version", "1.1.0").put("profile", "gateway")
                .put("waves", "100"));
        Files.writeString(state.resolve(Enrollment.FIRMWARE_KEY_FILE), PemFiles.publicKeyPem(signer.getPublic()));
        Path hook = state.resolve("install.sh");
        Files.writeString(hook, "#!/bin/sh\ncp \"$1\" \"$(dirname \"$0\")/installed.bin\"\n");
        hook.toFile().setExecutable(true);
        link.cutAfter(80); // the handshake, the version report, a reading, then some 70 blocks: the link dies
        Thread repair = new Thread(() -> {
            try {
                for (int waited = 0; !link.isDown() && waited < 1500; waited++) {
                    Thread.sleep(20); // at most 30 s: if the link was never cut, the assertions below say so
                }
                Thread.sleep(1500);
                link.down(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        repair.start();
        JsonNode status = runUntilDrained(config(state, "firmware-hook", hook.toString(), "firmware-check", "300ms",
                "running", "1.0.0:1"), 30);
        repair.join();
        assertThat(link.downDatagrams.get()).as("the link was cut").isGreaterThanOrEqualTo(80);
        assertThat(state.resolve("installed.bin")).as(status.toPrettyString()).hasBinaryContent(image);
        assertThat(status.path("firmware").asText()).startsWith("1.1.0:2");
        assertThat(state.resolve("firmware.part")).doesNotExist();
        // some 70 blocks came before the cut; fetched again from block 0, the image would cross the link 1.5 times
        assertThat(link.downBytes.get()).as("bytes to the device").isLessThan(image.length * 3L / 2);
    }

    @Test
    void an_operator_request_to_rotate_is_followed_and_no_reading_is_lost_across_the_new_key() throws Exception {
        Path state = device("pi-rot", "gateway");
        java.security.PublicKey before = DeviceKeys.load(state).getPublic();
        server.admin("key.rotate", VigilTestServer.args().put("name", "pi-rot"));
        JsonNode status = runUntilDrained(config(state), 10);
        assertThat(DeviceKeys.load(state).getPublic()).as("the device key").isNotEqualTo(before);
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "pi-rot"))
                .path("rotationRequested").asBoolean()).isFalse();
        assertThat(server.readings("pi-rot")).hasSize((int) taken(status));
    }

    @Test
    void rotate_every_rotates_a_key_older_than_that_on_its_own() throws Exception {
        Path state = device("pi-sched", "gateway");
        java.security.PublicKey before = DeviceKeys.load(state).getPublic();
        Thread.sleep(1100);
        JsonNode status = runUntilDrained(config(state, "rotate-every", "1s"), 5);
        assertThat(DeviceKeys.load(state).getPublic()).as("the device key").isNotEqualTo(before);
        assertThat(server.readings("pi-sched")).hasSize((int) taken(status));
    }

    @Test
    void a_nat_rebinding_mid_session_costs_no_new_handshake() throws Exception {
        Path state = device("pi-4", "gateway");
        AgentConfig config = config(state);
        Thread rebinder = new Thread(() -> {
            try {
                Thread.sleep(700);
                link.rebind();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        rebinder.start();
        JsonNode status = runUntilDrained(config, 15);
        rebinder.join();
        assertThat(status.path("today").path("fullHandshakes").asInt()).isEqualTo(1);
        assertThat(status.path("today").path("resumedHandshakes").asInt()).isZero();
        assertThat(server.readings("pi-4")).hasSize((int) taken(status));
    }

    @Test
    void a_rate_limited_agent_waits_out_max_age_and_loses_nothing() throws Exception {
        Path state = device("pi-5", "sensor"); // 1 request a second, bursts of 10: at 10 a second it is told to wait
        JsonNode status = runUntilDrained(config(state), 25);
        assertThat(status.path("queueDepth").asInt()).isZero();
        assertThat(server.readings("pi-5")).hasSize((int) taken(status));
    }

    @ParameterizedTest(name = "halted at {0}")
    @ValueSource(strings = {"agent:queued#4", "agent:stored#3"})
    void an_agent_halted_between_queueing_sending_and_forgetting_stores_every_reading_exactly_once(String point)
            throws Exception {
        Path state = device("pi-halt", "gateway");
        Process halted = agentProcess(state, 100, "-Dvigil.crashAt=" + point);
        assertThat(halted.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(halted.exitValue()).as(log(state)).isEqualTo(137);
        JsonNode status = runUntilDrained(config(state), 2);
        assertThat(status.path("queueDepth").asInt()).isZero();
        assertThat(server.readings("pi-halt")).as("readings 1..%d, each once", taken(status))
                .hasSize((int) taken(status));
    }

    @Test
    void kill_9_mid_run_loses_no_reading_and_stores_none_twice() throws Exception {
        Path state = device("pi-kill", "gateway");
        Process agent = agentProcess(state, 1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.readings("pi-kill").size() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        agent.destroyForcibly(); // SIGKILL
        agent.waitFor(10, TimeUnit.SECONDS);
        JsonNode status = runUntilDrained(config(state), 2);
        assertThat(taken(status)).isGreaterThan(10);
        assertThat(server.readings("pi-kill")).hasSize((int) taken(status));
    }

    @Test
    void the_agent_runs_a_simulated_day_of_five_minute_readings_in_a_32_mb_heap() throws Exception {
        Path state = device("pi-day", "gateway");
        Process agent = agentProcess(state, 288, "-Xmx32m");
        assertThat(agent.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).as(log(state)).isZero();
        assertThat(log(state)).doesNotContain("OutOfMemoryError");
        JsonNode status = runUntilDrained(config(state), 1);
        assertThat(server.readings("pi-day")).hasSize((int) taken(status));
        assertThat(taken(status)).isGreaterThanOrEqualTo(288);
    }

    @Test
    void a_command_not_on_the_device_allow_list_is_refused_there_and_reported_failed() throws Exception {
        Path state = device("valve", "actuator");
        AgentConfig config = config(state, "commands", "ping");
        long ping = server.admin("command.send", VigilTestServer.args().put("name", "valve").put("command", "ping"))
                .path("id").asLong();
        long set = server.admin("command.send", VigilTestServer.args().put("name", "valve").put("command", "set")
                .set("args", VigilTestServer.args().put("level", 3))).path("id").asLong();
        runUntilDrained(config, 10);
        JsonNode pinged = server.admin("command.show", VigilTestServer.args().put("id", ping));
        assertThat(pinged.path("state").asText()).isEqualTo("SUCCEEDED");
        JsonNode refused = server.admin("command.show", VigilTestServer.args().put("id", set));
        assertThat(refused.path("state").asText()).isEqualTo("FAILED");
        assertThat(refused.path("result").asText()).contains("refused by this device");
    }
}
