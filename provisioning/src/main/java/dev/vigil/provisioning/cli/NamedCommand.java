package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Parameters;

/** A command that runs one operation on one named device or operator: {@code vigil ... NAME}. */
abstract class NamedCommand extends RemoteCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The device's or operator's name.")
    String name;

    private final String operation;

    NamedCommand(CliContext context, String operation) {
        super(context);
        this.operation = operation;
    }

    @Override
    final JsonNode run(ManagementClient client) throws ManagementException {
        return client.call(operation, args().put("name", name));
    }
}
