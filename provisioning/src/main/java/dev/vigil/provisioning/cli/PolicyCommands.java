package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.store.BoundedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.vigil.provisioning.management.PolicyChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil policy validate|apply FILE} and {@code vigil policy show}. */
final class PolicyCommands {

    private PolicyCommands() {
    }

    /** Sends a policy document; a refused one prints every error as FILE:line:column: path: message. */
    abstract static class WithDocument extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "FILE", description = "Policy document (JSON).")
        Path file;

        private final String operation;
        private String document;

        WithDocument(CliContext context, String operation) {
            super(context);
            this.operation = operation;
        }

        String document() {
            return document;
        }

        @Override
        void readFiles() throws IOException {
            document = BoundedFiles.readText(file, BoundedFiles.POLICY_FILE_LIMIT, StandardCharsets.UTF_8,
                    "policy document");
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call(operation, args().put("document", document).put("source", file.toString()));
        }

        @Override
        void printHuman(JsonNode result) {
            if (result.path("valid").asBoolean()) {
                printValid(result);
                return;
            }
            for (JsonNode e : result.path("errors")) {
                String path = e.path("path").asText();
                context.err().printf("%s:%d:%d: %s%s%n", file, e.path("line").asInt(), e.path("column").asInt(),
                        path.isEmpty() ? "" : path + ": ", e.path("message").asText());
            }
            context.err().printf("vigil %s: %s refused (%d error%s)%s%n", operation, file, result.path("errors").size(),
                    result.path("errors").size() == 1 ? "" : "s", result.path("offline").asBoolean()
                            ? ", checked offline" : "; the policy in force is unchanged");
        }

        abstract void printValid(JsonNode result);

        @Override
        int exitCode(JsonNode result) {
            return result.path("valid").asBoolean() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    /**
     * Offline (no server: with {@code --offline}, or when no endpoint is named by {@code --data}, {@code --server} or
     * {@code VIGIL_SERVER}) it runs every check that needs no registry, in this process: shape, meaning, role
     * operations that exist. With a server it adds the registry's checks (profiles devices use, someone left to
     * govern), as {@code policy apply} does.
     */
    @Command(name = "validate", description = {"Check a policy document; every error is located by line and JSON path.",
        "Offline (--offline, or no --data/--server/VIGIL_SERVER): every check but the registry's; for CI."})
    static final class Validate extends WithDocument {

        @Option(names = "--offline", description = "Do not ask a server even if one is configured.")
        boolean offline;

        Validate(CliContext context) {
            super(context, "policy.validate");
        }

        @Override
        JsonNode runLocally() {
            if (!offline && connection.namesEndpoint(context.environment())) {
                return null;
            }
            return PolicyChecks.offline(document()).put("offline", true);
        }

        @Override
        void printValid(JsonNode result) {
            context.out().println(file + ": valid" + (result.path("offline").asBoolean()
                    ? " (offline: profiles devices use and operators left to govern are checked with a server)" : ""));
        }
    }

    @Command(name = "apply", description = "Validate and put a policy document into effect, atomically, as the next version.")
    static final class Apply extends WithDocument {
        Apply(CliContext context) {
            super(context, "policy.apply");
        }

        @Override
        void printValid(JsonNode result) {
            context.out().println(result.path("changed").asBoolean(true)
                    ? "applied " + file + " as policy version " + result.path("version").asLong()
                    : file + " is policy version " + result.path("version").asLong() + " already: unchanged");
        }
    }

    @Command(name = "show", description = "Print the policy in force.")
    static final class Show extends RemoteCommand {
        Show(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("policy.show", args());
        }

        @Override
        void printHuman(JsonNode result) {
            context.err().printf("policy version %d, applied %s by %s%n", result.path("version").asLong(),
                    result.path("appliedAt").asText(), RecordCommands.labelled(result, "appliedBy"));
            context.out().print(result.path("document").asText());
        }
    }
}
