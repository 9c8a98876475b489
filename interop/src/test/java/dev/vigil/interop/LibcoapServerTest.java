package dev.vigil.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.device.DeviceClient;
import dev.vigil.device.DeviceKeys;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-side interop: Vigil's device client ({@link DeviceClient}) against libcoap's
 * {@code coap-server-gnutls -M server-key.pem} (RPK; CoAPS on port N+1). The device pins the server's key:
 * the pinned key gets a handshake and a discovery answer, any other key is refused by the device.
 * (ETSI TD_COAP_DTLS_04 / _05 in spirit, with RPKs instead of the TD's CCM_8-only set-up.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibcoapServerTest {

    private Libcoap.Server libcoap;
    private KeyPair serverKey;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        if (!Libcoap.present(Libcoap.SERVER)) {
            return; // each case is skipped (or failed under CI=true) by requireLibcoap
        }
        Path keys = Files.createDirectories(dir.resolve("server"));
        serverKey = DeviceKeys.generate(keys); // PKCS#8 + PUBLIC KEY, the form -M reads
        Path keyFile = Files.move(keys.resolve(DeviceKeys.KEY_FILE), keys.resolve("server-key.pem"));
        libcoap = Libcoap.server(keyFile);
    }

    @BeforeEach
    void requireLibcoap() {
        Libcoap.requireServer();
    }

    @AfterAll
    void stop() {
        if (libcoap != null) {
            libcoap.close();
        }
    }

    private URI uri() {
        return URI.create("coaps://127.0.0.1:" + libcoap.dtlsPort());
    }

    @Test
    void a_device_pinning_the_libcoap_server_key_completes_the_handshake_and_discovers_its_resources() {
        try (DeviceClient device = new DeviceClient(uri(), Fixtures.p256(), serverKey.getPublic()).timeout(5_000)) {
            DeviceClient.Outcome outcome = device.send("/.well-known/core", Request.newGet());

            assertThat(outcome.code()).as(String.valueOf(outcome.failure())).isEqualTo(ResponseCode.CONTENT);
            assertThat(Fixtures.links(new String(outcome.payload()))).contains("/time"); // libcoap's example resources
        }
    }

    @Test
    void a_device_pinning_another_key_refuses_the_libcoap_server_and_sends_no_request() {
        String before = libcoap.log();
        try (DeviceClient device = new DeviceClient(uri(), Fixtures.p256(), Fixtures.p256().getPublic())
                .timeout(5_000)) {
            DeviceClient.Outcome outcome = device.send("/.well-known/core", Request.newGet());

            assertThat(outcome.code()).isNull();
            assertThat(outcome.isSuccess()).isFalse();
            assertThat(outcome.failure()).contains("this device refused the server").contains("not the pinned one");
        }
        // libcoap logs the alert as it processes it, which may be just after the device has given up
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!libcoap.log().substring(before.length()).contains("Alert") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String during = libcoap.log().substring(before.length());
        assertThat(during).as("the server saw the device abort the handshake").contains("Alert");
        assertThat(during).as("no CoAP request reached the server").doesNotContain("GnuTLS established");
    }

    @Test
    void a_device_refusing_an_unpinned_server_says_it_was_the_server_key_not_a_server_refusal() {
        try (DeviceClient device = new DeviceClient(uri(), Fixtures.p256(), Fixtures.p256().getPublic())
                .timeout(5_000)) {
            DeviceClient.Outcome outcome = device.send("/.well-known/core", Request.newGet());

            assertThat(outcome.failure()).doesNotContain("server refused");
        }
    }
}
