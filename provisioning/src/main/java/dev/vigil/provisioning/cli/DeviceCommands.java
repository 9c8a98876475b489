package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.ManagementException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil device ...}. */
final class DeviceCommands {

    private DeviceCommands() {
    }

    @Command(name = "add", description = "Register a device by its public key; it can connect at once.")
    static final class Add extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Unique device name, e.g. sensor-0042.")
        String name;

        @Option(names = "--key", required = true, paramLabel = "PUBKEY.pem", description = "The device's public key.")
        Path key;

        @Option(names = "--profile", required = true, paramLabel = "P", description = "Policy profile, e.g. sensor.")
        String profile;

        private String publicKey;

        Add(CliContext context) {
            super(context);
        }

        @Override
        void readFiles() throws IOException {
            publicKey = AccessCommands.pem(key);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("device.add", args().put("name", name).put("publicKey", publicKey)
                    .put("profile", profile));
        }

        @Override
        void printHuman(JsonNode device) {
            context.out().printf("added %s (profile %s, %s)%n  key %s%n", device.path("name").asText(),
                    device.path("profile").asText(), device.path("state").asText(), device.path("keyId").asText());
        }
    }

    @Command(name = "list", description = "List registered devices.")
    static final class ListDevices extends RemoteCommand {

        ListDevices(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("device.list", args());
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("NAME", "PROFILE", "STATE", "KEY ID");
            for (JsonNode device : result.path("devices")) {
                table.row(device.path("name").asText(), device.path("profile").asText(),
                        device.path("state").asText(), device.path("keyId").asText("-"));
            }
            table.print(context.out());
        }
    }
}
