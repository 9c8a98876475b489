package dev.vigil.interop;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.server.VigilTestServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * What the interop tests send and check, written independently of Vigil's own encoders: SenML packs in
 * JSON and hand-assembled CBOR, fresh P-256 keys from the JDK, and small look-ups on a test server.
 */
final class Fixtures {

    static final int SENML_JSON = 110;
    static final int SENML_CBOR = 112;
    static final int JSON = 50;
    static final int LINK_FORMAT = 40;
    /** VIGIL.TELEMETRY_MAX_PAYLOAD's default. */
    static final int MAX_PAYLOAD = 4096;

    private static final AtomicInteger NAMES = new AtomicInteger();

    private Fixtures() {
    }

    /** A device name not used before in this JVM (tests of one class share a server). */
    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    /** {@code [{"n":"temp","u":"Cel","v":value}]}. */
    static String senmlJson(double value) {
        return "[{\"n\":\"temp\",\"u\":\"Cel\",\"v\":" + value + "}]";
    }

    /**
     * {@code [{-2: "lc:", 0: "temp", 1: "Cel", 2: 22.5}]} in CBOR (RFC 8428 §6 integer labels: bn=-2, n=0,
     * u=1, v=2), the value as a half-precision float (0xf9 0x4da0 = 22.5), as a small device would send it.
     * Stored as name "lc:temp", unit "Cel", value 22.5.
     */
    static final byte[] SENML_CBOR_22_5 = {
        (byte) 0x81, // array(1)
        (byte) 0xa4, // map(4)
        0x21, 0x63, 'l', 'c', ':', // -2: "lc:"
        0x00, 0x64, 't', 'e', 'm', 'p', // 0: "temp"
        0x01, 0x63, 'C', 'e', 'l', // 1: "Cel"
        0x02, (byte) 0xf9, 0x4d, (byte) 0xa0, // 2: 22.5 (float16)
    };

    /** The same pack with 7.25 (0xf9 0x4740) as the value. */
    static final byte[] SENML_CBOR_7_25 = {
        (byte) 0x81, (byte) 0xa4, 0x21, 0x63, 'l', 'c', ':', 0x00, 0x64, 't', 'e', 'm', 'p', 0x01, 0x63, 'C', 'e', 'l',
        0x02, (byte) 0xf9, 0x47, 0x40,
    };

    /** A valid SenML JSON pack of exactly {@code bytes} bytes (at least 100), many records. */
    static byte[] senmlJsonOfSize(int bytes) {
        StringBuilder pack = new StringBuilder("[");
        for (int i = 0; pack.length() + 80 < bytes; i++) {
            pack.append("{\"n\":\"r").append(i).append("\",\"v\":").append(i).append("},");
        }
        String close = "{\"n\":\"\",\"v\":0}]";
        int nameLength = bytes - pack.length() - close.length();
        pack.append("{\"n\":\"p").append("x".repeat(nameLength - 1)).append("\",\"v\":0}]");
        byte[] result = pack.toString().getBytes(StandardCharsets.US_ASCII);
        if (result.length != bytes) {
            throw new IllegalStateException("pack of " + result.length + " bytes, wanted " + bytes);
        }
        return result;
    }

    /** Records in a pack from {@link #senmlJsonOfSize}. */
    static int records(byte[] pack) {
        return new String(pack, StandardCharsets.US_ASCII).split("\\{").length - 1;
    }

    /** A fresh EC P-256 key pair straight from the JDK. */
    static KeyPair p256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A one-use enrollment token for the "sensor" profile that names the device {@code name}. */
    static String token(VigilTestServer server, String name) throws ManagementException {
        return server.admin("token.create", VigilTestServer.args().put("profile", "sensor").put("name", name)
                .put("ttlSeconds", 600).put("uses", 1)).path("token").asText();
    }

    /** The security events of {@code type} about {@code subject}. */
    static List<JsonNode> events(VigilTestServer server, String type, String subject) throws ManagementException {
        JsonNode events = server.admin("events", VigilTestServer.args().put("limit", 500)).path("events");
        return StreamSupport.stream(events.spliterator(), false)
                .filter(e -> type.equals(e.path("type").asText()) && subject.equals(e.path("subject").asText()))
                .toList();
    }

    /**
     * A profile allowed SenML telemetry up to 16 KiB at 50/s: above VIGIL.TELEMETRY_MAX_PAYLOAD, so that
     * setting, not the profile, is the limit a Block1 transfer meets.
     */
    static final String BULK_PROFILE = """
            {"send": [{"resource": "t", "methods": ["POST"], "formats": [110, 112], "maxPayload": 16384,
                       "rate": {"perSecond": 50, "burst": 100}}],
             "services": ["key-rotation"]}
            """;

    /** Adds (or replaces) profile {@code name} in the policy in force, through policy.show and policy.apply. */
    static void addProfile(VigilTestServer server, String name, String profileJson) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode document = (ObjectNode) json.readTree(
                server.admin("policy.show", VigilTestServer.args()).path("document").asText());
        ((ObjectNode) document.path("profiles")).set(name, json.readTree(profileJson));
        JsonNode applied = server.admin("policy.apply", VigilTestServer.args().put("document", document.toString()));
        if (!applied.path("valid").asBoolean()) {
            throw new IllegalStateException("policy refused: " + applied);
        }
    }

    /** The device's state, e.g. "ACTIVE", or null if there is no such device. */
    static String state(VigilTestServer server, String name) {
        try {
            return server.admin("device.show", VigilTestServer.args().put("name", name)).path("state").asText();
        } catch (ManagementException e) {
            return null;
        }
    }

    /** The link targets of a link-format payload, in order, e.g. ["/key", "/t"] (attributes dropped). */
    static List<String> links(String linkFormat) {
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("<([^>]*)>").matcher(linkFormat == null ? "" : linkFormat);
        while (m.find()) {
            links.add(m.group(1));
        }
        return links;
    }
}
