package dev.vigil.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device commands}: fetches the commands waiting at {@code GET /cmd} once (for devices that
 * sleep rather than observe), runs those on this device's allow-list and reports each result to
 * {@code POST /cmd/{id}}; a command not on the list is refused here and reported failed. Built in:
 * {@code ping} (answers {@code {"pong": true}}). The server only sends what the device's profile lists; the
 * allow-list is the device's own word on top.
 */
@Command(name = "commands", description = "Fetch waiting commands once, run those on the allow-list, report results.")
final class CommandsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Option(names = "--allow", paramLabel = "COMMAND", split = ",",
            description = "Commands this device runs (built in: ping); everything else is refused and reported failed.")
    List<String> allowed = List.of();

    @Override
    public Integer call() throws IOException {
        options.server();
        PrintWriter out = spec.commandLine().getOut();
        try (DeviceClient client = options.client(DeviceKeys.load(options.state))) {
            DeviceClient.Outcome fetched = client.send("/cmd", Cbor.get());
            if (fetched.code() != ResponseCode.CONTENT) {
                spec.commandLine().getErr().println("vigil-device commands: " + fetched);
                return Main.exitCode(fetched);
            }
            JsonNode commands = Cbor.MAPPER.readTree(fetched.payload());
            for (JsonNode command : commands) {
                long id = command.path("id").asLong();
                String name = command.path("command").asText();
                ObjectNode report = Cbor.map();
                if (!allowed.contains(name)) {
                    report.put("status", "failed").put("result", "refused by this device: '" + name
                            + "' is not on its allow-list");
                } else if (name.equals("ping")) {
                    report.put("status", "succeeded").set("result", Cbor.map().put("pong", true));
                } else {
                    report.put("status", "failed").put("result", "no handler for '" + name + "' on this device");
                }
                DeviceClient.Outcome reported = client.send("/cmd/" + id, Cbor.post(report));
                out.printf("command %d %s: %s (reported: %s)%n", id, name, report.path("status").asText(),
                        reported.code());
            }
            if (commands.isEmpty()) {
                out.println("no commands waiting");
            }
        }
        return Main.OK;
    }
}
