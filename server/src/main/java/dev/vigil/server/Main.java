package dev.vigil.server;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.cli.CliContext;
import dev.vigil.provisioning.cli.VigilCli;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code vigil}: the operator CLI, wired to the CoAPS management transport and to the server. */
public final class Main {

    private Main() {
    }

    /**
     * Starts nothing it does not need: the CLI's one handshake uses the JDK's provider (Bouncy Castle's registration
     * alone costs a quarter of a second; the server chooses it in {@link VigilServer#start}), and logging starts with
     * the first class that logs.
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = VigilCli.run(context(out, err), args);
        System.exit(code);
    }

    public static CliContext context(PrintWriter out, PrintWriter err) {
        return context(out, err, System.in);
    }

    /** As {@link #context(PrintWriter, PrintWriter)}, reading {@code --stdin} names from {@code in}. */
    public static CliContext context(PrintWriter out, PrintWriter err, java.io.InputStream in) {
        return new CliContext(CoapsManagementClient::connect, (dir, port, mgmtPort) -> runServer(dir, port, mgmtPort, out),
                System.getenv(), out, err, in);
    }

    private static void runServer(Path data, Integer port, Integer mgmtPort, PrintWriter out) throws Exception {
        Logger log = LoggerFactory.getLogger(Main.class);
        DataDir dir = new DataDir(data);
        CountDownLatch stopped = new CountDownLatch(1);
        VigilServer server = VigilServer.start(dir, port, mgmtPort);
        Files.writeString(dir.managementUriFile(), server.managementUri() + "\n", StandardCharsets.US_ASCII);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(dir.managementUriFile());
            } catch (java.io.IOException e) {
                // best effort: a stale file only points the CLI at a closed port
            }
            log.info("event=stopping data={}", dir.root());
            server.close();
            log.info("event=stopped data={}", dir.root());
            stopped.countDown();
        }, "vigil-shutdown"));
        log.info("event=started data={} devices={} management={}", dir.root(), hostPort(server.deviceAddress()),
                server.managementUri());
        out.printf("vigil server: devices on coaps://%s, management on %s%n",
                hostPort(server.deviceAddress()), server.managementUri());
        out.flush();
        stopped.await();
    }

    private static String hostPort(java.net.InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "*" : address.getAddress().getHostAddress();
        return host + ":" + address.getPort();
    }
}
