package dev.vigil.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * libcoap 4.3.1 (Debian libcoap3-bin) as separate processes: {@code coap-client-gnutls} and
 * {@code coap-server-gnutls}. Absent binary: a failure under {@code CI=true}, a skip with a clear message
 * otherwise. Every process has a deadline and is killed when it passes it.
 */
final class Libcoap {

    static final String CLIENT = "coap-client-gnutls";
    static final String SERVER = "coap-server-gnutls";

    /** How long one coap-client run may take before it is killed and the test fails. */
    static final long CLIENT_DEADLINE_SECONDS = 12;

    /** A message line as coap-client logs it from {@code -v 6}: {@code v:1 t:ACK c:2.04 i:e0be {01} [ ... ]}. */
    private static final Pattern MESSAGE = Pattern.compile(
            "^v:1 t:(CON|NON|ACK|RST) c:(\\S+) i:([0-9a-f]+) \\{([0-9a-f]*)\\} \\[(.*?)\\]", Pattern.MULTILINE);

    /**
     * One message coap-client logged: type, code ("GET", "POST" for its requests, "2.05" for responses),
     * message id, token (hex) and options as libcoap prints them.
     */
    record Message(String type, String code, String mid, String token, String options) {
        boolean isResponse() {
            return code.matches("\\d\\.\\d\\d");
        }
    }

    /** What one run printed (stdout and stderr together) and how long it took. */
    record Run(int exitCode, String output, long millis) {

        /** Every message coap-client logged (needs {@code -v 6} or more), in order. */
        List<Message> messages() {
            List<Message> messages = new ArrayList<>();
            Matcher m = MESSAGE.matcher(output);
            while (m.find()) {
                messages.add(new Message(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5).trim()));
            }
            return messages;
        }

        /** The responses coap-client received, in order. */
        List<Message> responses() {
            return messages().stream().filter(Message::isResponse).toList();
        }

        /** The requests coap-client sent, in order (a request sent after the handshake is logged twice). */
        List<Message> requests() {
            return messages().stream().filter(m -> !m.isResponse()).toList();
        }

        /** Response codes in order, e.g. ["2.31", "2.31", "2.04"]. */
        List<String> codes() {
            return responses().stream().map(Message::code).toList();
        }

        /** The last response, or null if none came. */
        Message last() {
            List<Message> responses = responses();
            return responses.isEmpty() ? null : responses.get(responses.size() - 1);
        }
    }

    private Libcoap() {
    }

    /**
     * Call before each libcoap case (not once per class, so that every case shows up in the reports as
     * skipped or failed, with the reason).
     */
    static void requireClient() {
        require(CLIENT);
    }

    static void requireServer() {
        require(SERVER);
    }

    static boolean present(String binary) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, binary)));
    }

    private static void require(String binary) {
        if (!present(binary)) {
            String message = binary + " is not installed (apt-get install -y libcoap3-bin)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + ": the interop suite must run in CI");
            }
            Assumptions.abort(message + "; skipping libcoap interop");
        }
    }

    /** Runs coap-client with {@code args}; killed (and the test failed) after {@link #CLIENT_DEADLINE_SECONDS}. */
    static Run client(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(CLIENT);
        command.addAll(List.of(args));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // drain while it runs: a chatty run (-v 9) must not block on a full pipe
        StringBuilder output = new StringBuilder();
        Thread reader = drain(process, output, null, null);
        try {
            if (!process.waitFor(CLIENT_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                fail(CLIENT + " did not finish within " + CLIENT_DEADLINE_SECONDS + " s: " + command);
            }
            reader.join(2_000);
        } finally {
            process.destroyForcibly();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        synchronized (output) {
            return new Run(process.exitValue(), output.toString(), millis);
        }
    }

    /**
     * A running {@code coap-server-gnutls -M keyFile -A 127.0.0.1 -p N}: plain CoAP on N, CoAPS on N+1. Closed
     * (killed) by {@link #close()}.
     */
    static final class Server implements AutoCloseable {
        private final Process process;
        private final int port;
        private final StringBuilder log;

        private Server(Process process, int port, StringBuilder log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        /** The CoAPS (DTLS) port: N+1. */
        int dtlsPort() {
            return port + 1;
        }

        String log() {
            synchronized (log) {
                return log.toString();
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts coap-server-gnutls with the RPK key file {@code keyFile} on free ports; waits until it listens. */
    static Server server(Path keyFile) throws IOException, InterruptedException {
        String lastLog = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePortPair();
            List<String> command = List.of(SERVER, "-M", keyFile.toString(), "-A", "127.0.0.1", "-p",
                    String.valueOf(port), "-v", "7");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            StringBuilder log = new StringBuilder();
            CountDownLatch listening = new CountDownLatch(1);
            drain(process, log, "created DTLS endpoint 127.0.0.1:" + (port + 1), listening);
            if (listening.await(5, TimeUnit.SECONDS)) {
                // should the test JVM die before close(), do not leave a server behind
                Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "coap-server-reaper"));
                return new Server(process, port, log);
            }
            process.destroyForcibly();
            synchronized (log) {
                lastLog = log.toString();
            }
        }
        fail(SERVER + " did not start listening within 5 s (3 attempts); last output:\n" + lastLog);
        return null;
    }

    private static Thread drain(Process process, StringBuilder sink, String marker, CountDownLatch seen) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (sink) {
                        sink.append(line).append('\n');
                    }
                    if (marker != null && line.contains(marker)) {
                        seen.countDown();
                    }
                }
            } catch (IOException e) {
                // process killed
            }
        }, "libcoap-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** A port N such that N and N+1 are free on 127.0.0.1 for UDP and TCP (coap-server binds all four). */
    private static int freePortPair() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 50; i++) {
            int port;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                port = probe.getLocalPort();
            }
            if (port >= 65535) {
                continue;
            }
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(loopback, port));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress(loopback, port + 1));
                    ServerSocket c = new ServerSocket(port, 1, loopback);
                    ServerSocket d = new ServerSocket(port + 1, 1, loopback)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free pair of adjacent ports on 127.0.0.1");
    }
}
