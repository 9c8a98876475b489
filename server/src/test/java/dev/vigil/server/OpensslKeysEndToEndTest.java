package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceKeys;
import dev.vigil.provisioning.Openssl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keys made with OpenSSL, as an operator would, work against a real node: as the operator key of {@code vigil} on
 * the management endpoint, and as the device key of {@code vigil-device send}.
 */
class OpensslKeysEndToEndTest {

    private VigilTestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private CliRun admin(String... args) {
        return vigilAs(server.dataDir().adminKey(), args);
    }

    private CliRun vigilAs(Path operatorKey, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("--server", server.managementUri().toString(), "--operator-key",
                operatorKey.toString(), "--server-key", server.dataDir().serverPublicKey().toString()));
        return CliRun.vigil(all.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SEC1 | ecparam -name prime256v1 -genkey -noout -out key.pem",
        "SEC1 after EC PARAMETERS | ecparam -name prime256v1 -genkey -out key.pem",
        "PKCS#8 without a public block | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
    })
    void an_openssl_key_works_as_operator_key_and_as_device_key(String form, String args) throws Exception {
        server = VigilTestServer.start();
        Path operator = server.scratch("operator");
        Openssl.run(operator, args.split(" "));
        Openssl.run(operator, "pkey", "-in", "key.pem", "-pubout", "-out", "key.pub.pem");
        Path device = server.scratch("device");
        Openssl.run(device, args.replace("key.pem", DeviceKeys.KEY_FILE).split(" "));
        Openssl.run(device, "pkey", "-in", DeviceKeys.KEY_FILE, "-pubout", "-out", DeviceKeys.PUBLIC_FILE);

        CliRun add = admin("operator", "add", "ops", "--key", operator.resolve("key.pub.pem").toString(), "--role",
                "admin");
        assertThat(add.exitCode()).as(add.err()).isZero();
        CliRun status = vigilAs(operator.resolve("key.pem"), "status");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("vigil 0.1.0");

        CliRun deviceAdd = vigilAs(operator.resolve("key.pem"), "device", "add", "ossl", "--key",
                device.resolve(DeviceKeys.PUBLIC_FILE).toString(), "--profile", "sensor");
        assertThat(deviceAdd.exitCode()).as(deviceAdd.err()).isZero();
        DeviceCliRun send = DeviceCliRun.vigilDevice("send", "--state", device.toString(), "--server",
                server.deviceUri().toString(), "--server-key", server.dataDir().serverPublicKey().toString(),
                "--value", "temp=21.5");
        assertThat(send.exitCode()).as(send.err()).isZero();
        assertThat(server.readings("ossl").get(0).path("v").asDouble()).isEqualTo(21.5);
    }

    @Test
    void vigil_keygen_makes_an_operator_key_that_an_admin_registers() throws Exception {
        server = VigilTestServer.start();
        Path key = server.scratch("keygen").resolve("carol.pem");

        CliRun keygen = CliRun.vigil("keygen", key.toString());
        assertThat(keygen.exitCode()).as(keygen.err()).isZero();
        assertThat(admin("operator", "add", "carol", "--key", key.resolveSibling("carol.pub.pem").toString(),
                "--role", "auditor").exitCode()).isZero();

        CliRun list = vigilAs(key, "device", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(Files.exists(key.resolveSibling("carol.pub.pem"))).isTrue();
    }
}
