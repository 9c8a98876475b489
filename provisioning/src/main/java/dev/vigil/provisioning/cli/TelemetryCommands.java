package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil telemetry ...}. */
final class TelemetryCommands {

    private TelemetryCommands() {
    }

    @Command(name = "tail", description = "Show a device's newest readings, oldest first.")
    static final class Tail extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
        String device;

        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20",
                description = "How many readings (1-1000, default ${DEFAULT-VALUE}).")
        int lines;

        Tail(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("telemetry.tail", args().put("device", device).put("limit", lines));
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("RECEIVED", "NAME", "VALUE", "UNIT");
            for (JsonNode r : result.path("readings")) {
                JsonNode value = r.has("v") ? r.get("v") : r.has("vs") ? r.get("vs") : r.path("vb");
                table.row(r.path("receivedAt").asText(), r.path("name").asText(), value.asText(),
                        r.path("unit").asText(""));
            }
            table.print(context.out());
        }
    }
}
