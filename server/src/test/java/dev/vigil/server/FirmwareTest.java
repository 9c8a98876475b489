package dev.vigil.server;

import static dev.vigil.server.CliRun.vigil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.device.DeviceClient;
import dev.vigil.device.Enrollment;
import dev.vigil.provisioning.management.ManagementException;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.firmware.CoseSign1;
import dev.vigil.provisioning.firmware.FirmwareManifest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signed firmware in staged rollouts, end to end over real DTLS. */
class FirmwareTest {

    private VigilTestServer server;
    private KeyPair signer;
    private Path signerFile;

    @BeforeEach
    void start() throws Exception {
        server = VigilTestServer.start();
        signer = PemFiles.generateP256();
        signerFile = server.scratch("keys").resolve("signer.pem");
        PemFiles.writeKeyPair(signerFile, signer);
        server.admin("firmware.key.add", VigilTestServer.args().put("name", "release")
                .put("publicKey", PemFiles.publicKeyPem(signer.getPublic())));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private String[] admin(String... command) {
        String[] all = java.util.Arrays.copyOf(command, command.length + 6);
        System.arraycopy(new String[] {"--server", server.managementUri().toString(), "--operator-key",
            server.dataDir().adminKey().toString(), "--server-key", server.dataDir().serverPublicKey().toString()}, 0,
            all, command.length, 6);
        return all;
    }

    private static byte[] image(int size, long seed) {
        byte[] image = new byte[size];
        new Random(seed).nextBytes(image);
        return image;
    }

    private CliRun publish(byte[] image, String version, long sequence, String... extra) throws Exception {
        Path file = server.scratch("images").resolve(version + ".bin");
        Files.write(file, image);
        String[] command = {"firmware", "publish", file.toString(), "--version", version, "--sequence",
            Long.toString(sequence), "--signing-key", signerFile.toString()};
        String[] all = java.util.Arrays.copyOf(command, command.length + extra.length);
        System.arraycopy(extra, 0, all, command.length, extra.length);
        return vigil(admin(all));
    }

    private DeviceClient client(KeyPair key) {
        return new DeviceClient(server.deviceUri(), key, server.serverPublicKey()).timeout(5_000);
    }

    private static Request status(String state, int result, String version, byte[] image) throws Exception {
        Request post = Request.newPost();
        post.setPayload("{\"state\":\"" + state + "\",\"result\":" + result + ",\"version\":\"" + version
                + "\",\"digest\":\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image)) + "\"}");
        post.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        return post;
    }

    @Test
    void a_tampered_image_or_a_bad_signature_is_refused_at_publish_and_nothing_is_stored() throws Exception {
        byte[] good = image(4096, 1);
        byte[] signed = CoseSign1.sign(FirmwareManifest.of(good, 1, "vigil", "default", "1.0.0").encode(),
                signer.getPrivate());
        byte[] tampered = good.clone();
        tampered[100] ^= 1;
        Throwable mismatch = catchThrowable(() -> server.admin("firmware.publish", VigilTestServer.args()
                .put("manifest", Base64.getEncoder().encodeToString(signed))
                .put("image", Base64.getEncoder().encodeToString(tampered))));
        assertThat(mismatch).isInstanceOf(ManagementException.class).hasMessageContaining("does not match its manifest");

        byte[] strangerSigned = CoseSign1.sign(FirmwareManifest.of(good, 1, "vigil", "default", "1.0.0").encode(),
                PemFiles.generateP256().getPrivate());
        Throwable unsigned = catchThrowable(() -> server.admin("firmware.publish", VigilTestServer.args()
                .put("manifest", Base64.getEncoder().encodeToString(strangerSigned))
                .put("image", Base64.getEncoder().encodeToString(good))));
        assertThat(unsigned).hasMessageContaining("not signed by a registered firmware key");
        assertThat(server.admin("firmware.list", VigilTestServer.args()).path("firmware")).isEmpty();

        assertThat(publish(good, "1.0.0", 1).exitCode()).isZero();
        assertThat(server.admin("firmware.list", VigilTestServer.args()).path("firmware")).hasSize(1);
    }

    @Test
    void a_downgrade_is_refused_unless_forced() throws Exception {
        assertThat(publish(image(1000, 1), "2.0.0", 5).exitCode()).isZero();
        CliRun older = publish(image(1000, 2), "1.9.0", 3);
        assertThat(older.exitCode()).isEqualTo(1);
        assertThat(older.errLines()).singleElement().asString().contains("is not above the newest published")
                .contains("a downgrade; --force");
        assertThat(publish(image(1000, 2), "1.9.0", 3, "--force").exitCode()).isZero();

        server.addDevice("s1", "sensor");
        assertThat(vigil(admin("firmware", "rollout", "2.0.0", "--profile", "sensor", "--waves", "100")).exitCode())
                .isZero();
        server.admin("firmware.rollout.abort", VigilTestServer.args().put("id", 1));
        CliRun back = vigil(admin("firmware", "rollout", "1.9.0", "--profile", "sensor", "--waves", "100"));
        assertThat(back.exitCode()).as("rolling back to a lower sequence").isEqualTo(1);
        assertThat(back.err()).contains("a downgrade; --force");
    }

    @Test
    void a_ten_percent_wave_over_100_devices_offers_the_update_to_exactly_the_deterministic_set() throws Exception {
        Map<Long, KeyPair> devices = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            KeyPair key = PemFiles.generateP256();
            devices.put(server.node().registry().devices().add(String.format("s%03d", i), key.getPublic(), "sensor",
                    dev.vigil.provisioning.Actor.system("test")).id(), key);
        }
        assertThat(publish(image(2000, 3), "1.0.0", 1).exitCode()).isZero();
        CliRun started = vigil(admin("firmware", "rollout", "1.0.0", "--profile", "sensor", "--waves", "10,100",
                "--json"));
        assertThat(started.exitCode()).as(started.err()).isZero();
        long rollout = new com.fasterxml.jackson.databind.ObjectMapper().readTree(started.out()).path("id").asLong();

        Set<Long> expected = new HashSet<>();
        for (long id : devices.keySet()) {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((rollout + ":" + id)
                    .getBytes(StandardCharsets.US_ASCII));
            long value = ((hash[0] & 0xffL) << 24) | ((hash[1] & 0xffL) << 16) | ((hash[2] & 0xffL) << 8) | (hash[3] & 0xffL);
            if (value % 100 < 10) {
                expected.add(id);
            }
        }
        assertThat(Set.copyOf(server.node().registry().rollouts().offeredDevices(rollout))).isEqualTo(expected);
        assertThat(expected).as("about a tenth").hasSizeBetween(3, 20);

        long in = expected.iterator().next();
        long out = devices.keySet().stream().filter(id -> !expected.contains(id)).findFirst().orElseThrow();
        try (DeviceClient offered = client(devices.get(in)); DeviceClient notYet = client(devices.get(out))) {
            DeviceClient.Outcome manifest = offered.send("/fw", Request.newGet());
            assertThat(manifest.code()).isEqualTo(ResponseCode.CONTENT);
            assertThat(manifest.options().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_COSE_SIGN1);
            assertThat(FirmwareManifest.decode(CoseSign1.verify(manifest.payload(), signer.getPublic())).version())
                    .isEqualTo("1.0.0");
            assertThat(notYet.send("/fw", Request.newGet()).code()).isEqualTo(ResponseCode.NOT_FOUND);
        }
        JsonNode status = server.admin("firmware.rollout.status", VigilTestServer.args().put("id", rollout));
        assertThat(status.path("assigned").asInt()).isEqualTo(expected.size());
        assertThat(status.path("wave").asInt()).isEqualTo(1);
    }

    @Test
    void an_interrupted_block_wise_download_resumes_where_it_stopped() throws Exception {
        KeyPair key = server.addDevice("s1", "sensor");
        byte[] image = image(64 * 1024 + 123, 4);
        assertThat(publish(image, "1.0.0", 1).exitCode()).isZero();
        assertThat(vigil(admin("firmware", "rollout", "1.0.0", "--profile", "sensor", "--waves", "100")).exitCode())
                .isZero();
        int szx = BlockOption.size2Szx(512);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int num = 0;
        CoapEndpoint first = blockByBlock(key); // the first blocks, then the link drops
        try {
            for (; num < 10; num++) {
                received.write(block(first, szx, num).getPayload());
            }
        } finally {
            first.destroy();
        }
        CoapEndpoint second = blockByBlock(key); // a new session: on from block 10, not from 0
        try {
            boolean more = true;
            while (more) {
                org.eclipse.californium.core.CoapResponse response = block(second, szx, num++);
                received.write(response.getPayload());
                more = response.getOptions().getBlock2().isM();
            }
        } finally {
            second.destroy();
        }
        assertThat(received.toByteArray()).isEqualTo(image);
        assertThat(num).isEqualTo((image.length + 511) / 512);
    }

    /** A device endpoint that hands each block to the caller (transparent block-wise off): it fetches block by block. */
    private CoapEndpoint blockByBlock(KeyPair key) throws Exception {
        org.eclipse.californium.elements.config.Configuration config = VigilConfig.defaults();
        config.set(org.eclipse.californium.core.config.CoapConfig.MAX_RESOURCE_BODY_SIZE, 0);
        CoapEndpoint endpoint = DtlsEndpoints.client(config, key, server.serverPublicKey());
        endpoint.start();
        return endpoint;
    }

    private org.eclipse.californium.core.CoapResponse block(CoapEndpoint endpoint, int szx, int num) throws Exception {
        org.eclipse.californium.core.CoapClient client = new org.eclipse.californium.core.CoapClient(
                server.deviceUri().resolve("/fw/image"));
        client.setEndpoint(endpoint);
        client.setTimeout(5_000L);
        Request get = Request.newGet();
        get.getOptions().setBlock2(szx, false, num);
        org.eclipse.californium.core.CoapResponse response = client.advanced(get);
        assertThat(response).as("block %d", num).isNotNull();
        assertThat(response.getCode()).isEqualTo(ResponseCode.CONTENT);
        assertThat(response.getOptions().getBlock2().getNum()).isEqualTo(num);
        return response;
    }

    @Test
    void a_wave_whose_devices_report_failures_halts_the_rollout_and_one_that_succeeds_starts_the_next()
            throws Exception {
        Map<String, KeyPair> devices = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            devices.put("s" + i, server.addDevice("s" + i, "sensor"));
        }
        byte[] good = image(3000, 5);
        assertThat(publish(good, "1.1.0", 2).exitCode()).isZero();
        assertThat(vigil(admin("firmware", "rollout", "1.1.0", "--profile", "sensor", "--waves", "50,100",
                "--max-failures", "10%")).exitCode()).isZero();
        var rollouts = server.node().registry().rollouts();
        long rollout = rollouts.latest("1.1.0").orElseThrow().id();
        Set<Long> firstWave = Set.copyOf(rollouts.offeredDevices(rollout));
        int reported = 0;
        for (Map.Entry<String, KeyPair> device : devices.entrySet()) {
            long id = server.node().registry().devices().idOf(device.getKey()).orElseThrow();
            if (!firstWave.contains(id)) {
                continue;
            }
            try (DeviceClient client = client(device.getValue())) { // every device of the wave fails to update
                assertThat(client.send("/fw/status", status("idle", 8, "1.0.0", image(10, 9))).code())
                        .isEqualTo(ResponseCode.CHANGED);
            }
            if (++reported == 2) {
                break;
            }
        }
        JsonNode halted = server.admin("firmware.rollout.status", VigilTestServer.args().put("id", rollout));
        assertThat(halted.path("state").asText()).isEqualTo("HALTED");
        assertThat(halted.path("reason").asText()).contains("failed, above the 10 % allowed");
        assertThat(server.admin("events", VigilTestServer.args()).path("events").findValuesAsText("type"))
                .contains("rollout-halted");
        CliRun shown = vigil(admin("firmware", "rollout", "status", Long.toString(rollout)));
        assertThat(shown.out()).as(shown.err()).contains("HALTED");
        assertThat(Set.copyOf(rollouts.offeredDevices(rollout))).as("no new wave").isEqualTo(firstWave);

        // a fresh rollout of a good image: its first wave succeeds, so the second is offered
        server.admin("firmware.rollout.abort", VigilTestServer.args().put("id", rollout));
        assertThat(vigil(admin("firmware", "rollout", "1.1.0", "--profile", "sensor", "--waves", "50,100")).exitCode())
                .isZero();
        long second = rollouts.latest("1.1.0").orElseThrow().id();
        for (Map.Entry<String, KeyPair> device : devices.entrySet()) {
            long id = server.node().registry().devices().idOf(device.getKey()).orElseThrow();
            if (rollouts.offeredDevices(second).contains(id) && rollouts.status(second).wave() == 0) {
                try (DeviceClient client = client(device.getValue())) {
                    assertThat(client.send("/fw/status", status("idle", 1, "1.1.0", good)).code())
                            .isEqualTo(ResponseCode.CHANGED);
                }
            }
        }
        assertThat(rollouts.status(second).wave()).as("the second wave started").isEqualTo(1);
        assertThat(rollouts.offeredDevices(second)).hasSize(12);
    }

    @Test
    void a_rollout_halts_itself_when_the_trust_engine_lowers_an_updated_device_after_it_reported() throws Exception {
        byte[] image = image(2000, 9);
        assertThat(publish(image, "3.0.0", 30).exitCode()).isZero();
        Map<String, KeyPair> devices = new LinkedHashMap<>();
        for (String name : new String[] {"a1", "a2", "a3"}) {
            devices.put(name, server.addDevice(name, "sensor"));
        }
        assertThat(vigil(admin("firmware", "rollout", "3.0.0", "--profile", "sensor", "--waves", "100",
                "--halt-on-anomaly")).exitCode()).isZero();
        try (DeviceClient updated = client(devices.get("a1"))) {
            assertThat(updated.send("/fw/status", status("idle", 1, "3.0.0", image)).code())
                    .isEqualTo(ResponseCode.CHANGED);
            assertThat(rolloutStatus("3.0.0").path("state").asText()).as("one of three updated, all well")
                    .isEqualTo("RUNNING");
            for (String resource : new String[] {"admin", "debug", "shell", "fw-upload", "config-write", "keys"}) {
                Request probe = Request.newPost();
                probe.setPayload("x");
                assertThat(updated.send("/" + resource, probe).code()).isEqualTo(ResponseCode.FORBIDDEN);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!eventTypes().contains("rollout-halted") && System.nanoTime() < deadline) { // not asking the status,
            Thread.sleep(50);                                                             // which evaluates too
        }
        assertThat(eventTypes()).as("halted on its own after the updated device was lowered, with no report")
                .contains("trust-lowered", "rollout-halted");
        JsonNode halted = rolloutStatus("3.0.0");
        assertThat(halted.path("state").asText()).isEqualTo("HALTED");
        assertThat(halted.path("reason").asText())
                .isEqualTo("the trust engine holds 1 updated devices below TRUSTED, against 0 not yet updated");
    }

    private List<String> eventTypes() throws Exception {
        List<String> types = new ArrayList<>();
        server.admin("events", VigilTestServer.args().put("limit", 1000)).path("events")
                .forEach(e -> types.add(e.path("type").asText()));
        return types;
    }

    private JsonNode rolloutStatus(String version) throws Exception {
        return server.admin("firmware.rollout.status", VigilTestServer.args().put("version", version));
    }

    @Test
    void vigil_device_update_verifies_downloads_installs_and_reports_or_refuses_an_unpinned_signer() throws Exception {
        Path pinned = server.scratch("keys").resolve("firmware.pub.pem");
        PemFiles.writePublicKey(pinned, signer.getPublic());
        Path stranger = server.scratch("keys").resolve("stranger.pub.pem");
        PemFiles.writePublicKey(stranger, PemFiles.generateP256().getPublic());
        Map<String, Path> states = new LinkedHashMap<>();
        Path good = server.scratch("good");
        dev.vigil.device.DeviceKeys.generate(good);
        String token = server.admin("token.create", VigilTestServer.args().put("profile", "sensor").put("name", "good")
                .put("ttlSeconds", 600).put("uses", 1)).path("token").asText();
        assertThat(Enrollment.enroll(good, server.deviceUri(), server.dataDir().serverPublicKey(), token, 10_000).code())
                .isEqualTo(ResponseCode.CREATED);
        assertThat(PemFiles.readPublicKey(good.resolve(Enrollment.FIRMWARE_KEY_FILE)))
                .as("enrollment pinned the registered firmware signer").isEqualTo(signer.getPublic());
        server.admin("firmware.key.add", VigilTestServer.args().put("name", "later")
                .put("publicKey", PemFiles.publicKeyPem(PemFiles.generateP256().getPublic())));
        assertThat(Enrollment.enroll(good, server.deviceUri(), server.dataDir().serverPublicKey(), token, 10_000).code())
                .as("asked again: its registration repeated").isEqualTo(ResponseCode.CREATED);
        assertThat(PemFiles.readPublicKey(good.resolve(Enrollment.FIRMWARE_KEY_FILE)))
                .as("a later answer naming another signer does not replace the pinned one").isEqualTo(signer.getPublic());
        states.put("good", good);
        Path broken = server.scratch("broken");
        server.addDevice("broken", dev.vigil.device.DeviceKeys.generate(broken).getPublic(), "sensor");
        states.put("broken", broken);
        byte[] image = image(5000, 6);
        assertThat(publish(image, "2.1.0", 21).exitCode()).isZero();
        assertThat(vigil(admin("firmware", "rollout", "2.1.0", "--profile", "sensor", "--waves", "100",
                "--max-failures", "60%")).exitCode()).isZero();

        DeviceCliRun refused = update(states.get("good"), stranger, "/bin/true");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("does not verify with the pinned key");

        DeviceCliRun installed = update(states.get("good"), null, "/bin/true"); // the key pinned at enrollment
        assertThat(installed.exitCode()).as(installed.err()).isZero();
        assertThat(installed.out()).contains("firmware 2.1.0 (sequence 21, 5000 bytes): installed; reported 2.04");
        DeviceCliRun failed = update(states.get("broken"), pinned, "/bin/false");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.out()).contains("the install hook failed");

        JsonNode status = server.admin("firmware.rollout.status", VigilTestServer.args().put("version", "2.1.0"));
        assertThat(status.path("succeeded").asInt()).isEqualTo(1);
        assertThat(status.path("failed").asInt()).isEqualTo(1);
        assertThat(status.path("state").asText()).as("one of two failed: within 60 %, every wave done").isEqualTo("DONE");
    }

    private DeviceCliRun update(Path state, Path firmwareKey, String hook) {
        List<String> args = new ArrayList<>(List.of("update", "--state", state.toString(), "--server",
                server.deviceUri().toString(), "--server-key", server.dataDir().serverPublicKey().toString(),
                "--install-hook", hook, "--running", "1.0.0:1"));
        if (firmwareKey != null) {
            args.addAll(List.of("--firmware-key", firmwareKey.toString()));
        }
        return DeviceCliRun.vigilDevice(args.toArray(String[]::new));
    }

    @Test
    void what_a_device_reports_running_is_what_min_firmware_holds_and_a_forged_image_lowers_its_trust()
            throws Exception {
        String shipped = server.admin("policy.show", VigilTestServer.args()).path("document").asText();
        String gated = shipped.replace("\"restricted\": {", "\"gated\": {\"send\": [{\"resource\": \"t\", \"methods\":"
                + " [\"POST\"], \"maxPayload\": 1024, \"rate\": {\"perSecond\": 1, \"burst\": 10}}], \"services\":"
                + " [\"firmware\"], \"conditions\": {\"minFirmware\": \"2.0.0\"}},\n    \"restricted\": {");
        assertThat(server.admin("policy.apply", VigilTestServer.args().put("document", gated)).path("valid").asBoolean())
                .isTrue();
        KeyPair key = server.addDevice("g1", "gated");
        byte[] image = image(3000, 8);
        assertThat(publish(image, "2.0.0", 20).exitCode()).isZero();
        try (DeviceClient device = client(key)) {
            Request reading = Request.newPost();
            reading.setPayload(dev.vigil.device.SenmlCbor.encode(Map.of("t", 1.0)));
            reading.getOptions().setContentFormat(dev.vigil.device.SenmlCbor.CONTENT_FORMAT);
            assertThat(device.send("/t", reading).code()).as("firmware unknown yet").isEqualTo(ResponseCode.FORBIDDEN);
            assertThat(device.send("/fw/status", status("idle", 0, "2.0.0", image)).code()).isEqualTo(ResponseCode.CHANGED);
            Request again = Request.newPost();
            again.setPayload(dev.vigil.device.SenmlCbor.encode(Map.of("t", 2.0)));
            again.getOptions().setContentFormat(dev.vigil.device.SenmlCbor.CONTENT_FORMAT);
            assertThat(device.send("/t", again).code()).as("runs 2.0.0 now").isEqualTo(ResponseCode.CHANGED);

            // the published version, but not its image: tampered firmware
            assertThat(device.send("/fw/status", status("idle", 0, "2.0.0", image(3000, 99))).code())
                    .isEqualTo(ResponseCode.CHANGED);
        }
        assertThat(server.admin("events", VigilTestServer.args()).path("events").findValuesAsText("type"))
                .contains("firmware-unexpected");
        assertThat(server.admin("device.show", VigilTestServer.args().put("name", "g1")).path("trustTier").asText())
                .isNotEqualTo("TRUSTED");
    }
}
