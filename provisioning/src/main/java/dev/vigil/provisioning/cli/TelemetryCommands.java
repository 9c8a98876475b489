package dev.vigil.provisioning.cli;


import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vigil telemetry ...}. */
final class TelemetryCommands {

    private TelemetryCommands() {
    }

    @Command(name = "tail", description = "Show a device's newest readings, oldest first; -f follows new ones.")
    static final class Tail extends RecordCommands.Followable {

        @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
        String device;

        Tail(CliContext context) {
            super(context);
        }

        @Override
        String operation() {
            return "telemetry.tail";
        }

        @Override
        String listField() {
            return "readings";
        }

        @Override
        com.fasterxml.jackson.databind.node.ObjectNode request() {
            return args().put("device", device);
        }

        @Override
        String line(JsonNode r) {
            JsonNode value = r.has("v") ? r.get("v") : r.has("vs") ? r.get("vs") : r.path("vb");
            return Printable.forTerminal(String.join("  ", r.path("receivedAt").asText(),
                    r.has("t") ? measured(r.get("t").asDouble()) : "-", r.path("name").asText(), value.asText(),
                    r.path("unit").asText("")).strip());
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("RECEIVED", "MEASURED", "NAME", "VALUE", "UNIT");
            for (JsonNode r : result.path("readings")) {
                JsonNode value = r.has("v") ? r.get("v") : r.has("vs") ? r.get("vs") : r.path("vb");
                table.row(r.path("receivedAt").asText(), r.has("t") ? measured(r.get("t").asDouble()) : "-",
                        r.path("name").asText(), value.asText(), r.path("unit").asText(""));
            }
            table.print(context.out());
        }

        /** SenML time (seconds since the epoch, fractions kept to the millisecond) as an ISO instant. */
        private static String measured(double seconds) {
            return java.time.Instant.ofEpochMilli(Math.round(seconds * 1000)).toString();
        }
    }
}
