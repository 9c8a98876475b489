package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vigil device approve|suspend|quarantine|reinstate|decommission NAME... | --selector K=V,... | --stdin}.
 * Idempotent: a device already where the transition leads is success ("s1: already SUSPENDED").
 */
final class LifecycleCommands {

    /** Names per management request, and so per transaction: the server takes no more. */
    static final int BATCH = 1_000;

    private static final Set<String> SELECTOR_KEYS = Set.of("profile", "state", "tier");

    private LifecycleCommands() {
    }

    /** One lifecycle transition on one device or many; the live DTLS sessions follow at once. */
    abstract static class Transition extends RemoteCommand {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..*", description = "The devices' names.")
        List<String> names = new ArrayList<>();

        @Option(names = "--selector", split = ",", paramLabel = "KEY=VALUE",
                description = "Every device matching all of profile=P, state=S, tier=T (decommissioned ones only"
                        + " with state=DECOMMISSIONED).")
        Map<String, String> selector;

        @Option(names = "--stdin", description = "Read the names from standard input, one a line.")
        boolean stdin;

        private final String operation;

        Transition(CliContext context, String verb) {
            super(context);
            this.operation = "device." + verb;
        }

        @Override
        void readFiles() throws IOException {
            int sources = (names.isEmpty() ? 0 : 1) + (selector == null ? 0 : 1) + (stdin ? 1 : 0);
            if (sources == 0) {
                throw new ParameterException(spec.commandLine(), "Missing required parameter: 'NAME' (or --selector,"
                        + " or --stdin)");
            }
            if (sources > 1) {
                throw new ParameterException(spec.commandLine(), "give names, --selector or --stdin, not two of them");
            }
            if (selector != null && !SELECTOR_KEYS.containsAll(selector.keySet())) {
                throw new ParameterException(spec.commandLine(), "--selector takes profile, state and tier, not "
                        + selector.keySet());
            }
            if (stdin) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8));
                reader.lines().map(String::strip).filter(line -> !line.isEmpty()).forEach(names::add);
                if (names.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "no names on standard input");
                }
            }
        }

        private boolean single() {
            return names.size() == 1 && !stdin;
        }

        /** The request's arguments beyond the names (none but for decommission). */
        ObjectNode requestArgs() {
            return args();
        }

        @Override
        final JsonNode run(ManagementClient client) throws ManagementException {
            if (single()) {
                return client.call(operation, requestArgs().put("name", names.get(0)));
            }
            if (selector != null) {
                ObjectNode args = requestArgs();
                selector.forEach(args.putObject("selector")::put);
                return client.call(operation, args);
            }
            ArrayNode devices = JSON.createArrayNode();
            int changed = 0;
            for (int from = 0; from < names.size(); from += BATCH) {
                ObjectNode args = requestArgs();
                names.subList(from, Math.min(names.size(), from + BATCH)).forEach(args.putArray("names")::add);
                JsonNode batch = client.call(operation, args);
                devices.addAll((ArrayNode) batch.path("devices"));
                changed += batch.path("changed").asInt();
            }
            ObjectNode result = args().put("changed", changed).put("unchanged", devices.size() - changed);
            result.set("devices", devices);
            return result;
        }

        @Override
        void printHuman(JsonNode result) {
            if (!result.has("devices")) {
                print(result);
            } else {
                result.path("devices").forEach(this::print);
                context.out().printf("%s: %d devices, %d changed, %d unchanged%n",
                        operation.substring("device.".length()), result.path("devices").size(),
                        result.path("changed").asInt(), result.path("unchanged").asInt());
            }
            if (result.has("rehomed")) {
                context.out().printf("children re-homed to %s: %s%n", result.path("rehomedTo").asText(),
                        names(result.path("rehomed")));
            }
            if (result.has("orphaned")) {
                context.out().printf("children orphaned: %s%n", names(result.path("orphaned")));
            }
        }

        private static String names(JsonNode array) {
            List<String> names = new ArrayList<>();
            array.forEach(n -> names.add(n.asText()));
            return String.join(", ", names);
        }

        private void print(JsonNode device) {
            if (device.path("changed").asBoolean(true)) {
                context.out().printf("%s: %s -> %s%n", device.path("name").asText(), device.path("before").asText(),
                        device.path("state").asText());
            } else {
                context.out().printf("%s: already %s%n", device.path("name").asText(), device.path("state").asText());
            }
        }
    }

    @Command(name = "approve", description = "Let PENDING devices in (they become ACTIVE).")
    static final class Approve extends Transition {
        Approve(CliContext context) {
            super(context, "approve");
        }
    }

    @Command(name = "suspend", description = "Cut the devices' live sessions and refuse their handshakes until reinstated.")
    static final class Suspend extends Transition {
        Suspend(CliContext context) {
            super(context, "suspend");
        }
    }

    @Command(name = "quarantine", description = "Restrict the devices to remediation (key rotation).")
    static final class Quarantine extends Transition {
        Quarantine(CliContext context) {
            super(context, "quarantine");
        }
    }

    @Command(name = "reinstate", description = "Return suspended or quarantined devices to ACTIVE.")
    static final class Reinstate extends Transition {
        Reinstate(CliContext context) {
            super(context, "reinstate");
        }
    }

    @Command(name = "decommission", description = "Retire devices for good: sessions cut, names and keys tombstoned."
            + " A gateway with children needs --rehome-to or --orphan-children.")
    static final class Decommission extends Transition {

        @Option(names = "--rehome-to", paramLabel = "GATEWAY",
                description = "Move a decommissioned gateway's children to this active gateway (same modes).")
        String rehomeTo;

        @Option(names = "--orphan-children", description = "Detach a decommissioned gateway's children: proxied ones"
                + " can send nothing until bound again; relay ones keep their own sessions.")
        boolean orphanChildren;

        Decommission(CliContext context) {
            super(context, "decommission");
        }

        @Override
        void readFiles() throws IOException {
            if (rehomeTo != null && orphanChildren) {
                throw new ParameterException(spec.commandLine(), "give --rehome-to or --orphan-children, not both");
            }
            super.readFiles();
        }

        @Override
        ObjectNode requestArgs() {
            ObjectNode args = args();
            if (rehomeTo != null) {
                args.put("rehomeTo", rehomeTo);
            }
            if (orphanChildren) {
                args.put("orphanChildren", true);
            }
            return args;
        }
    }
}
