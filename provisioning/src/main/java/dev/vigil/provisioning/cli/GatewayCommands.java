package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vigil gateway ...}. */
final class GatewayCommands {

    private GatewayCommands() {
    }

    @Command(name = "children", description = "The devices registered behind a gateway, with their mode (relay or"
            + " proxy) and state.")
    static final class Children extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "GATEWAY", description = "The gateway's device name.")
        String gateway;

        Children(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("gateway.children", args().put("name", gateway));
        }

        @Override
        void printHuman(JsonNode result) {
            if (result.path("children").isEmpty()) {
                context.out().printf("%s has no children%n", gateway);
                return;
            }
            Table table = new Table("NAME", "MODE", "PROFILE", "STATE", "KEY ID");
            for (JsonNode child : result.path("children")) {
                table.row(child.path("name").asText(), child.path("mode").asText(), child.path("profile").asText(),
                        child.path("state").asText(), child.path("keyId").asText("-"));
            }
            table.print(context.out());
        }
    }
}
