package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.management.ManagementException;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil command send|list|show}: commands for devices, delivered where their policy allows. */
final class CommandCommands {

    private CommandCommands() {
    }

    @Command(name = "send", description = "Queue a command for a device (durable, audited); refused if the device's"
            + " profile may not receive it. Delivered by Observe on /cmd, or when the device next asks.")
    static final class Send extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
        String name;

        @Parameters(index = "1", paramLabel = "COMMAND", description = "A command the device's profile lists, e.g. on.")
        String command;

        @Parameters(index = "2..*", paramLabel = "KEY=VALUE", description = "Arguments (numbers and true/false as such).")
        List<String> pairs = List.of();

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
                description = "How long it waits for the device before it expires (default ${DEFAULT-VALUE}).")
        Duration ttl;

        Send(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            ObjectNode args = args();
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("argument '" + pair + "' is not KEY=VALUE");
                }
                String key = pair.substring(0, eq);
                String value = pair.substring(eq + 1);
                if (value.equals("true") || value.equals("false")) {
                    args.put(key, Boolean.parseBoolean(value));
                } else if (value.matches("-?\\d{1,15}(\\.\\d{1,15})?")) {
                    args.put(key, new java.math.BigDecimal(value));
                } else {
                    args.put(key, value);
                }
            }
            return client.call("command.send", args().put("name", name).put("command", command)
                    .put("ttlSeconds", ttl.toSeconds()).set("args", args));
        }

        @Override
        void printHuman(JsonNode c) {
            context.out().printf("command %d %s queued for %s (expires %s)%n", c.path("id").asLong(),
                    c.path("command").asText(), c.path("device").asText(), c.path("expiresAt").asText());
        }
    }

    @Command(name = "list", description = "A device's commands, newest first: queued, delivered, succeeded, failed, expired.")
    static final class ListCommands extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
        String name;

        ListCommands(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("command.list", args().put("name", name));
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("ID", "COMMAND", "STATE", "CREATED", "RESULT");
            for (JsonNode c : result.path("commands")) {
                table.row(c.path("id").asText(), c.path("command").asText() + " " + c.path("args"),
                        c.path("state").asText(), c.path("createdAt").asText(), c.path("result").asText("-"));
            }
            table.print(context.out());
        }
    }

    @Command(name = "show", description = "One command: its arguments, state, times and result.")
    static final class Show extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "Command id.")
        long id;

        Show(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("command.show", args().put("id", id));
        }

        @Override
        void printHuman(JsonNode c) {
            var out = context.out();
            out.printf("command %d %s %s for %s: %s%n", c.path("id").asLong(), c.path("command").asText(),
                    c.path("args"), c.path("device").asText(), c.path("state").asText());
            out.printf("  queued %s by %s, expires %s%n", c.path("createdAt").asText(), c.path("createdBy").asText(),
                    c.path("expiresAt").asText());
            if (c.has("deliveredAt")) {
                out.printf("  delivered %s%n", c.path("deliveredAt").asText());
            }
            if (c.has("completedAt")) {
                out.printf("  completed %s%s%n", c.path("completedAt").asText(), c.has("result")
                        ? ": " + dev.vigil.provisioning.Printable.forTerminal(c.path("result").asText()) : "");
            }
        }
    }
}
