package dev.vigil.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * libcoap's {@code coap-client-gnutls} (Debian libcoap3-bin, 4.3.1) as a separate process. Absent
 * binary: a failure under {@code CI=true}, a skip with a clear message otherwise.
 */
final class Libcoap {

    static final String CLIENT = "coap-client-gnutls";

    /** What one run printed; libcoap exits 0 even when a request fails, so read the output. */
    record Run(int exitCode, String output) {
    }

    private Libcoap() {
    }

    static void requireClient() {
        boolean present = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, CLIENT)));
        if (!present) {
            String message = CLIENT + " is not installed (apt-get install -y libcoap3-bin)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + ": the interop suite must run in CI");
            }
            Assumptions.abort(message + "; skipping libcoap interop");
        }
    }

    static Run client(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(CLIENT);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(CLIENT + " did not finish within 30 s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.exitValue(), output);
    }
}
