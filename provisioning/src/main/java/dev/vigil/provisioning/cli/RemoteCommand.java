package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A command that runs one or more operations on the management endpoint and prints the result. */
abstract class RemoteCommand implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    final CliContext context;

    RemoteCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public final Integer call() throws Exception {
        readFiles();
        JsonNode result = runLocally();
        if (result == null) {
            try (ManagementClient client = context.connector().connect(connection.resolve(context.environment()))) {
                result = run(client);
            }
        }
        if (json) {
            context.out().println(JSON.writeValueAsString(result));
        } else {
            printHuman(result);
        }
        context.out().flush();
        return exitCode(result);
    }

    /** The result without a server, for a command that can do without one; null (the default): ask the server. */
    JsonNode runLocally() throws IOException {
        return null;
    }

    /** Reads the command's own input files, before anything goes over the network: a bad file costs no session. */
    void readFiles() throws IOException {
    }

    /** The exit code for a result the server sent (0 unless a command says otherwise). */
    int exitCode(JsonNode result) {
        return ExitCodes.OK;
    }

    /** Runs the operation(s); the result is printed as JSON or handed to {@link #printHuman}. */
    abstract JsonNode run(ManagementClient client) throws ManagementException;

    abstract void printHuman(JsonNode result);

    static ObjectNode args() {
        return JSON.createObjectNode();
    }
}
