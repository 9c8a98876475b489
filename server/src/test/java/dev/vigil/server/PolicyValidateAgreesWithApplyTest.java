package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code vigil policy validate} offline runs every check but the registry's; with a server it adds those, and
 * validate and apply agree on every document.
 */
class PolicyValidateAgreesWithApplyTest {

    private VigilTestServer server;

    @BeforeEach
    void start() {
        server = VigilTestServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private CliRun online(String... args) {
        return server.vigil(args);
    }

    private Path policy(String name, String json) throws Exception {
        Path file = server.scratch("p").resolve(name);
        Files.writeString(file, json);
        return file;
    }

    @Test
    void an_unknown_operation_is_refused_by_validate_offline_and_online_and_by_apply() throws Exception {
        Path file = policy("typo.json", Files.readString(Path.of("../policies/default.json"))
                .replace("\"token.create\", \"device.import\"", "\"token.create\", \"device.imports\""));
        long version = server.admin("policy.show", VigilTestServer.args()).path("version").asLong();

        for (CliRun run : List.of(CliRun.vigil("policy", "validate", file.toString()),
                online("policy", "validate", file.toString()), online("policy", "apply", file.toString()))) {
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()[0]).contains("unknown operation 'device.imports'; did you mean 'device.import'?");
        }
        assertThat(server.admin("policy.show", VigilTestServer.args()).path("version").asLong()).isEqualTo(version);
    }

    @Test
    void dropping_a_profile_in_use_passes_offline_and_is_refused_by_validate_and_apply_with_a_server() throws Exception {
        server.addDevice("s1", "sensor");
        Path file = policy("renamed.json", Files.readString(Path.of("../policies/default.json"))
                .replace("\"sensor\":", "\"sensor2\":"));

        CliRun offline = CliRun.vigil("policy", "validate", file.toString());
        assertThat(offline.exitCode()).as(offline.err()).isZero();

        for (String verb : new String[] {"validate", "apply"}) {
            CliRun run = online("policy", verb, file.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).hasSize(1);
            assertThat(run.errLines()[0]).contains("drops profiles devices still use: 'sensor' (1 devices)");
        }
    }
}
