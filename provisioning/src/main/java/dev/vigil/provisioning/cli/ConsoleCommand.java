package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.provisioning.console.WebConsole;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vigil console}: the web console on 127.0.0.1, acting through this operator's CoAPS session. Its first line
 * of output is the URL to open (with this run's secret); it runs until SIGINT or SIGTERM.
 */
@Command(name = "console", description = "Serve the web console on 127.0.0.1 (it holds the operator key and speaks"
        + " CoAPS like the CLI). Prints the URL to open, with this run's secret, on its first line; runs until"
        + " interrupted.")
final class ConsoleCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0", description = "Local port (default 0: a free one).")
    int port;

    private final CliContext context;

    ConsoleCommand(CliContext context) {
        this.context = context;
    }

    @Option(names = "--key", paramLabel = "FILE", description = "Operator key file (same as --operator-key).")
    void key(Path file) {
        connection.operatorKey(file);
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0 to 65535, not " + port);
        }
        ManagementClient client = context.connector().connect(connection.resolve(context.environment()));
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            // proves the key and the endpoint before anything is served; names the operator on every page
            JsonNode me = client.call("operator.whoami", new ObjectMapper().createObjectNode());
            WebConsole console = WebConsole.start(client, me.path("name").asText() + " (" + me.path("role").asText()
                    + ")", port);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                console.close();
                client.close();
                stopped.countDown();
            }, "vigil-console-shutdown"));
            context.out().println(console.url());
            context.out().flush();
        } catch (Exception e) {
            client.close();
            throw e;
        }
        stopped.await();
        return ExitCodes.OK;
    }
}
