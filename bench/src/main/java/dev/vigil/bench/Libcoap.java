package dev.vigil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code coap-client-gnutls -M key.pem} POST of a SenML JSON reading to a Vigil server. */
public final class Libcoap {

    public static final String CLIENT = "coap-client-gnutls";
    private static final Pattern RESPONSE = Pattern.compile("t:(?:ACK|CON|NON) c:(\\d\\.\\d\\d)");

    /** code: the response code libcoap logged (null if none); detail: a short reason otherwise. */
    public record Outcome(boolean ok, String code, String detail, long millis, DtlsSniff.Negotiated negotiated) {
    }

    private Libcoap() {
    }

    public static boolean present() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, CLIENT))) {
                return true;
            }
        }
        return false;
    }

    /** The POST through a counting relay, so that the negotiated suite and group can be read off the wire. */
    public static Outcome post(int port, Path keyPem, Path log) throws IOException, InterruptedException {
        try (UdpRelay relay = new UdpRelay(new java.net.InetSocketAddress("127.0.0.1", port))) {
            Outcome outcome = run(relay.address().getPort(), keyPem, log);
            return new Outcome(outcome.ok(), outcome.code(), outcome.detail(), outcome.millis(),
                    DtlsSniff.read(relay.captured()));
        }
    }

    private static Outcome run(int port, Path keyPem, Path log) throws IOException, InterruptedException {
        if (!present()) {
            return new Outcome(false, null, CLIENT + " not installed (apt-get install libcoap3-bin)", 0, null);
        }
        long start = System.nanoTime();
        Process process = new ProcessBuilder(List.of(CLIENT, "-M", keyPem.toString(), "-v", "6", "-B", "10",
                "-m", "post", "-t", "110", "-e", "[{\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]",
                "coaps://127.0.0.1:" + port + "/t")).redirectErrorStream(true).start();
        boolean finished = process.waitFor(15, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(log, output, StandardCharsets.UTF_8);
        Matcher matcher = RESPONSE.matcher(output);
        String code = null;
        while (matcher.find()) {
            code = matcher.group(1);
        }
        if (code == null) {
            String last = output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no output)");
            return new Outcome(false, null, (finished ? "exit " + process.exitValue() : "killed after 15 s") + ": "
                    + last.trim(), millis, null);
        }
        return new Outcome(code.startsWith("2."), code, "", millis, null);
    }
}
