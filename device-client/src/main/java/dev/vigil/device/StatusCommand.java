package dev.vigil.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.device.agent.AgentStatus;
import dev.vigil.device.gateway.Gateway;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vigil-device status}: what the agent in a state directory last reported about itself. */
@Command(name = "status", description = "Show the agent's queue depth, last success, today's handshakes and bytes, session age;"
        + " or a gateway's children and last child-list pull.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
    Path state;

    @Option(names = "--json", description = "The status as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path gatewayFile = state.resolve(Gateway.STATUS_FILE);
        if (Files.exists(gatewayFile)) {
            return gateway(out, new ObjectMapper().readTree(gatewayFile.toFile()));
        }
        JsonNode status = AgentStatus.read(state);
        if (json) {
            out.println(status.toPrettyString());
            return Main.OK;
        }
        JsonNode today = status.path("today");
        out.printf("server          %s (every %s)%n", status.path("server").asText(), status.path("interval").asText());
        out.printf("standing        %s%n", status.path("standing").asText());
        out.printf("queue           %d readings, %d bytes (next number %d)%n", status.path("queueDepth").asLong(),
                status.path("queuedBytes").asLong(), status.path("nextSeq").asLong());
        out.printf("lost            %d dropped when the queue was full, %d refused by the server%n",
                status.path("droppedWhenFull").asLong(), status.path("rejectedByServer").asLong());
        out.printf("last success    %s%n", status.path("lastSuccess").asText("never"));
        out.printf("last attempt    %s: %s%n", status.path("lastAttempt").asText("never"),
                status.path("lastOutcome").asText());
        out.printf("session since   %s%n", status.path("sessionSince").asText("none"));
        out.printf("today (%s)  %d full + %d resumed handshakes, %d requests, %d readings, %d bytes sent, %d received%n",
                today.path("day").asText(), today.path("fullHandshakes").asLong(),
                today.path("resumedHandshakes").asLong(), today.path("requests").asLong(),
                today.path("readingsSent").asLong(), today.path("bytesSent").asLong(),
                today.path("bytesReceived").asLong());
        out.printf("commands        %s%n", status.path("observingCommands").asBoolean() ? "observing /cmd" : "not observing");
        if (!status.path("firmware").isNull() && !status.path("firmware").isMissingNode()) {
            out.printf("firmware        %s%n", status.path("firmware").asText());
        }
        out.printf("as of           %s%n", status.path("now").asText());
        return Main.OK;
    }

    /** What a gateway ({@code vigil-device gateway}) in this state directory last wrote about itself. */
    private int gateway(PrintWriter out, JsonNode status) {
        if (json) {
            out.println(status.toPrettyString());
            return Main.OK;
        }
        List<String> children = new ArrayList<>();
        status.path("children").forEach(c -> children.add(c.path("name").asText() + " (" + c.path("mode").asText() + ")"));
        out.printf("gateway         children on udp/%d, relay on %s%n", status.path("listen").asInt(),
                status.path("relayPort").asInt() < 0 ? "none" : "udp/" + status.path("relayPort").asInt());
        out.printf("children        %s%n", children.isEmpty() ? "none" : String.join(", ", children));
        out.printf("last pull       %s: %s%n", status.path("lastPull").asText(), status.path("lastPullOutcome").asText());
        out.printf("requests        %d forwarded, %d refused by the gateway%n", status.path("forwarded").asLong(),
                status.path("refused").asLong());
        return Main.OK;
    }
}
