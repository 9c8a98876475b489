package dev.vigil.server;

import static dev.vigil.server.DeviceCliRun.vigilDevice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.Enrollment;
import dev.vigil.device.agent.AgentStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code vigil-device simulate} against a real node on loopback: a fleet enrolls with one multi-use token, runs
 * behind its own lossy relay, and the server ends up with every reading each device took, each once.
 */
class SimulateTest {

    private VigilTestServer server;
    private Path fleet;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        fleet = server.scratch("sim").resolve("fleet");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String token(int uses) throws Exception {
        return server.admin("token.create", VigilTestServer.args().put("profile", "sensor").put("ttlSeconds", 3600)
                .put("uses", uses)).path("token").asText();
    }

    private DeviceCliRun simulate(String duration, String... more) {
        List<String> args = new ArrayList<>(List.of("simulate", "--state", fleet.toString(), "--devices", "5",
                "--interval", "100ms", "--duration", duration, "--drain", "60s",
                // retries at most 2 s apart: at 20 % loss a device's backoff can otherwise outgrow the drain
                "--backoff-max", "2s"));
        args.addAll(List.of(more));
        return vigilDevice(args.toArray(String[]::new));
    }

    private Path device(int i) {
        return fleet.resolve(String.format("device-%03d", i));
    }

    /** Checks every device: queue empty, and the server holds readings 1..nextSeq-1, each once; returns their sum. */
    private long everyReadingStoredOnce() throws Exception {
        long total = 0;
        for (int i = 1; i <= 5; i++) {
            JsonNode status = AgentStatus.read(device(i));
            long taken = status.path("nextSeq").asLong() - 1; // numbered from 1
            JsonNode readings = server.readings(Enrollment.read(device(i)).name());
            assertThat(status.path("queueDepth").asInt()).as("device-%03d drained", i).isZero();
            assertThat(readings).as("device-%03d: every reading it took, none twice", i).hasSize((int) taken);
            total += taken;
        }
        return total;
    }

    private static long summary(String out, String line) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + "\\s+(\\d+)").matcher(out);
        assertThat(m.find()).as("'%s' in%n%s", line, out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void five_devices_enroll_with_one_token_and_lose_nothing_through_twenty_percent_loss() throws Exception {
        DeviceCliRun run = simulate("4s", "--loss", "20%", "--server", server.deviceUri().toString(), "--server-key",
                server.dataDir().serverPublicKey().toString(), "--token", token(5));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("enrolled 5 devices, reused 0");
        long stored = everyReadingStoredOnce();
        assertThat(stored).isGreaterThanOrEqualTo(5);
        assertThat(summary(run.out(), "devices")).isEqualTo(5);
        assertThat(summary(run.out(), "readings taken")).isEqualTo(stored);
        assertThat(summary(run.out(), "readings acknowledged")).isEqualTo(stored);
        assertThat(summary(run.out(), "still queued")).isZero();
        assertThat(summary(run.out(), "handshakes")).as("one session per device at least").isGreaterThanOrEqualTo(5);
        assertThat(summary(run.out(), "datagrams dropped")).as("the relay did lose datagrams").isPositive();
        Set<String> names = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            names.add(Enrollment.read(device(i)).name());
        }
        assertThat(names).hasSize(5);
    }

    @Test
    void a_second_run_reuses_the_enrolled_devices_without_token_or_server() throws Exception {
        DeviceCliRun first = simulate("2s", "--server", server.deviceUri().toString(), "--server-key",
                server.dataDir().serverPublicKey().toString(), "--token", token(5));
        assertThat(first.exitCode()).as(first.err()).isZero();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add(Enrollment.read(device(i)).name());
        }
        long firstRun = summary(first.out(), "readings taken");

        DeviceCliRun second = simulate("2s", "--loss", "20%"); // the server from agent.properties, the pinned key, no token

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).doesNotContain("enrolled");
        for (int i = 1; i <= 5; i++) {
            assertThat(Enrollment.read(device(i)).name()).isEqualTo(names.get(i - 1));
        }
        assertThat(server.admin("device.list", VigilTestServer.args()).path("devices")).hasSize(5);
        assertThat(everyReadingStoredOnce()).isEqualTo(firstRun + summary(second.out(), "readings taken"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--devices 0 --interval 100ms --token vgt_x | --devices must be from 1 to 999",
        "--devices 1000 --interval 100ms --token vgt_x | --devices must be from 1 to 999",
        "--devices 2 --interval 100ms --token vgt_x --loss 120% | --loss must be a percentage from 0% to 100%",
        "--devices 2 --interval 100ms --token vgt_x --loss lots | --loss must be a percentage from 0% to 100%",
        "--devices 2 --interval soon --token vgt_x | --interval: 'soon' is not a duration",
        "--devices 2 --interval 100ms --duration 0s --token vgt_x | --duration must be above zero",
        "--devices 2 --interval 100ms --pack 0 --token vgt_x | pack: '0' is not a whole number",
        "--devices 2 --interval 100ms --timeout soon --token vgt_x | timeout: 'soon' is not a duration",
        "--devices 2 --interval 100ms | 2 of 2 devices (device-001…) must enroll: give --token",
        "--devices 2 --interval 100ms --token vgt_x --server http://x:1 | --server must be coaps://host:port",
    })
    void bad_arguments_give_one_line_exit_2_and_create_nothing(String args, String message) throws Exception {
        List<String> command = new ArrayList<>(List.of("simulate", "--state", fleet.toString()));
        command.addAll(List.of(args.split(" ")));
        if (!args.contains("--server ")) {
            command.addAll(List.of("--server", server.deviceUri().toString()));
        }
        command.addAll(List.of("--server-key", server.dataDir().serverPublicKey().toString()));

        DeviceCliRun run = vigilDevice(command.toArray(String[]::new));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().split("\\R")).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("vigil-device simulate: ").contains(message);
        assertThat(run.out()).isEmpty();
        assertThat(fleet).doesNotExist();
    }
}
