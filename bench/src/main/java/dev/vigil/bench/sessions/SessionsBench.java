package dev.vigil.bench.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Fmt;
import dev.vigil.bench.Fork;
import dev.vigil.bench.Keys;
import dev.vigil.bench.Section;
import java.nio.file.Path;
import java.util.List;

/**
 * Server heap per established, idle DTLS session: a Vigil node in its own JVM, N devices each opening a
 * session from its own address and sending one reading, then going quiet.
 */
public final class SessionsBench {

    private static final int EXCHANGE_LIFETIME = 5;

    private SessionsBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("sessions", "Server heap per established idle DTLS session",
                "server (JCE provider)", "sessions opened", "live sessions (server)", "open rate /s",
                "heap before MB", "heap after MB", "bytes / session", "target", "verdict");
        int sessions = ctx.pick(10_000, 1_000);
        int warm = ctx.pick(300, 100);
        List<String> providers = ctx.quick ? List.of("SYSTEM") : List.of("SYSTEM", "BC");
        Path keysFile = Fixtures.file(ctx, "sessions-keys.txt");
        Ctx.log("sessions: %d keys", warm + sessions);
        Keys.write(keysFile, Keys.p256(warm + sessions));
        double registration = 0;
        java.util.Map<String, Double> perSessionByProvider = new java.util.LinkedHashMap<>();
        java.util.Map<String, Double> bcBytes = new java.util.LinkedHashMap<>();
        for (String provider : providers) {
            try (Fork server = new Fork(ctx, "sessions-server-" + provider, provider,
                    List.of("-Xmx2g", "-XX:+UseG1GC"), "sessions-server", keysFile.toString(),
                    Integer.toString(EXCHANGE_LIFETIME))) {
                registration = server.ready.get("registrationSeconds").asDouble();
                try (Fork load = new Fork(ctx, "sessions-load-" + provider, "BC", List.of("-Xmx1g"), "sessions-load",
                        keysFile.toString(), server.ready.get("serverKey").asText(),
                        server.ready.get("port").asText(), "4")) {
                    JsonNode warmed = load.call("open 0 " + warm);
                    Ctx.log("sessions[%s]: warm-up %s", provider, warmed);
                    Thread.sleep((EXCHANGE_LIFETIME + 4) * 1000L);
                    JsonNode before = server.call("baseline");
                    Ctx.log("sessions[%s]: baseline %s; opening %d sessions", provider, before, sessions);
                    JsonNode opened = load.call("open " + warm + " " + (warm + sessions));
                    Ctx.log("sessions[%s]: %s", provider, opened);
                    // let every exchange of the readings expire (deduplication keeps them EXCHANGE_LIFETIME)
                    Thread.sleep((EXCHANGE_LIFETIME + 4) * 1000L);
                    JsonNode after = server.call("measure");
                    int count = opened.get("opened").asInt();
                    double perSession = (after.get("heap").asLong() - before.get("heap").asLong()) / (double) count;
                    section.row(provider.equals("SYSTEM") ? "Vigil (SunEC)" : "Vigil (" + provider + ")",
                            count, after.get("liveSessions").asInt() - before.get("liveSessions").asInt(),
                            count / opened.get("seconds").asDouble(), before.get("heap").asLong() / 1e6,
                            after.get("heap").asLong() / 1e6, perSession, "≤ 5,120",
                            perSession <= 5120 ? "meets" : "MISSES");
                    Section classes = section.table("Where the bytes are (" + provider + "): live-object growth by"
                            + " class, bytes per session (GC.class_histogram after − before)", "class", "bytes / session",
                            "instances / session");
                    for (JsonNode row : after.get("growth")) {
                        if (row.get("bytes").asLong() / (double) count >= 8) {
                            classes.row(row.get("class").asText(), row.get("bytes").asLong() / (double) count,
                                    row.get("instances").asLong() / (double) count);
                        }
                    }
                    classes.row("(total histogram growth)", after.get("histogramGrowth").asLong() / (double) count, null);
                    if (opened.get("failed").asInt() > 0) {
                        section.note(provider + ": " + opened.get("failed").asInt() + " sessions failed to open, e.g. "
                                + opened.get("errors"));
                    }
                    section.data.put("measure-" + provider, after);
                    perSessionByProvider.put(provider, perSession);
                    double bc = 0;
                    for (JsonNode row : after.get("growth")) {
                        if (row.get("class").asText().startsWith("org.bouncycastle")
                                || row.get("class").asText().startsWith("[Lorg.bouncycastle")) {
                            bc += row.get("bytes").asLong() / (double) count;
                        }
                    }
                    bcBytes.put(provider, bc);
                    if (!after.path("peerKeyPrecomputation").isNull() && !after.path("peerKeyPrecomputation").isMissingNode()) {
                        section.note(String.format("%s: a session's peer key as the server keeps it (its principal,"
                                + " RawPublicKeyIdentity) is a %s carrying Bouncy Castle's cached precomputations %s:"
                                + " the multiples of the device's point computed to verify its CertificateVerify stay"
                                + " alive with the session (Scandium keeps the very key object it verified with).",
                                provider, after.get("peerKeyClass").asText().replaceAll(".*\\.", ""),
                                after.get("peerKeyPrecomputation").asText()));
                    }
                }
            }
        }
        if (perSessionByProvider.containsKey("SYSTEM") && perSessionByProvider.containsKey("BC")) {
            section.note(String.format("With Bouncy Castle (the provider the handshake benchmark recommends) a session"
                    + " costs %,.0f bytes more (%,.0f vs %,.0f): Bouncy Castle EC point and field-element objects alone"
                    + " are %,.0f bytes per session (plus their int[] limbs), the precomputed multiples cached on the"
                    + " device's public key while verifying its CertificateVerify. Worth fixing: Scandium keeps the key"
                    + " object it verified with as the session's principal (Handshaker.otherPeersPublicKey →"
                    + " RawPublicKeyIdentity); keeping a freshly decoded copy instead (an upstream Scandium change, or a"
                    + " Vigil-side hook when the session is established) would bring BC back to the SunEC figure.",
                    perSessionByProvider.get("BC") - perSessionByProvider.get("SYSTEM"), perSessionByProvider.get("BC"),
                    perSessionByProvider.get("SYSTEM"), bcBytes.get("BC")));
        }
        section.define(String.format("A Vigil node in its own JVM (-Xmx2g, G1) with %,d registered ACTIVE devices"
                + " (profile sensor). A load JVM opens one DTLS session per device, each from its own loopback address"
                + " (127.1.x.y) with its own key: full handshake, one SenML CBOR reading (CON POST /t, answered 2.04),"
                + " then the client side is dropped without close_notify, so the server holds an established, idle"
                + " session, as for a device gone to sleep. %d sessions are opened first (warm-up, in the baseline)."
                + " Heap is measured in the server JVM after repeated full GCs (MemoryMXBean), before and after %,d"
                + " sessions, %d s after the last reading so that its CoAP exchange (EXCHANGE_LIFETIME %d s for this"
                + " benchmark) has expired. bytes/session = heap growth / sessions opened. Live sessions: connections"
                + " with an established DTLS context, as the server counts them.", warm + sessions, warm, sessions,
                EXCHANGE_LIFETIME + 4, EXCHANGE_LIFETIME));
        section.note(String.format("Registration of the %,d devices in the server (DeviceRegistry.add, one transaction"
                + " and audit record each): %.1f s (%.1f ms each).", warm + sessions, registration,
                registration * 1000 / (warm + sessions)));
        return section;
    }
}
