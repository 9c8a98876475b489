package dev.vigil.provisioning.console;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.provisioning.cli.ManagementClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code vigil console}: a web console on 127.0.0.1 only, for the operator running it. It holds the operator's
 * CoAPS session to the management endpoint (the browser never sees a key) and admits only browsers that
 * were given this run's secret.
 */
public final class WebConsole implements AutoCloseable {

    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final HttpServer server;
    private final ExecutorService threads;
    private final ConsoleAccess access;

    private WebConsole(HttpServer server, ExecutorService threads, ConsoleAccess access) {
        this.server = server;
        this.threads = threads;
        this.access = access;
    }

    /**
     * Serves on 127.0.0.1:{@code port} (0: a free port) through {@code client}, the session of operator
     * {@code operator} (a label for the page header, e.g. "alice (operator)").
     */
    public static WebConsole start(ManagementClient client, String operator, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(LOOPBACK), port), 16);
        int bound = server.getAddress().getPort();
        ConsoleAccess access = ConsoleAccess.random(bound);
        ConsoleRoutes routes = new ConsoleRoutes(new Operations(client), new Layout(operator), access.csrfToken());
        server.createContext("/", new ConsoleHandler(access, routes, "http://127.0.0.1:" + bound));
        ExecutorService threads = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "vigil-console");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.start();
        return new WebConsole(server, threads, access);
    }

    /** The URL to open, with this run's secret: whoever has it may act as the operator. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/?" + ConsoleAccess.SECRET_PARAMETER
                + "=" + access.secret());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
