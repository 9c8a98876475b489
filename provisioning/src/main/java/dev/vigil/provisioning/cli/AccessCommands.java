package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil token create}, {@code vigil key rotate}, {@code vigil operator add|list|remove}. */
final class AccessCommands {

    private AccessCommands() {
    }

    /** The public key in {@code file} (a public key file or a key pair file), as PEM. */
    static String pem(Path file) throws IOException {
        return PemFiles.publicKeyPem(PemFiles.readPublicKey(file));
    }

    @Command(name = "create", description = "Make a one-time enrollment token (shown once, stored only as a hash).")
    static final class TokenCreate extends RemoteCommand {

        @Option(names = "--profile", required = true, paramLabel = "P", description = "Profile the device gets.")
        String profile;

        @Option(names = "--name", paramLabel = "N", description = "Name the device gets (default: profile-<key id>).")
        String name;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
                description = "How long the token is valid: 90s, 30m, 1h, 7d (default ${DEFAULT-VALUE}).")
        Duration ttl;

        @Option(names = "--uses", paramLabel = "N", defaultValue = "1", description = "Enrollments it allows (default 1).")
        int uses;

        TokenCreate(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            var args = args().put("profile", profile).put("ttlSeconds", ttl.toSeconds()).put("uses", uses);
            if (name != null) {
                args.put("name", name);
            }
            return client.call("token.create", args);
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().println(result.path("token").asText());
            context.err().printf("token for profile %s%s, %d use(s), expires %s (shown once)%n",
                    result.path("profile").asText(), result.has("name") ? ", device " + result.path("name").asText() : "",
                    result.path("uses").asInt(), result.path("expiresAt").asText());
        }
    }

    @Command(name = "list", description = "Enrollment tokens still usable: id, profile, name, uses left, expiry"
            + " (never the token itself).")
    static final class TokenList extends RemoteCommand {
        TokenList(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("token.list", args());
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("ID", "PROFILE", "NAME", "USES LEFT", "EXPIRES", "CREATED BY");
            for (JsonNode t : result.path("tokens")) {
                table.row(t.path("id").asText(), t.path("profile").asText(), t.path("name").asText("-"),
                        t.path("usesLeft").asText(), t.path("expiresAt").asText(), t.path("createdBy").asText());
            }
            table.print(context.out());
        }
    }

    @Command(name = "revoke", description = "Revoke an enrollment token by the id token list shows; revoking twice is"
            + " success.")
    static final class TokenRevoke extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (12 hex digits, from token list).")
        String id;

        TokenRevoke(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("token.revoke", args().put("id", id));
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().println(result.path("changed").asBoolean() ? "revoked token " + id
                    : "token " + id + ": already revoked");
        }
    }

    @Command(name = "whoami", description = "Print the operator this key authenticates as: name, role, key id.")
    static final class WhoAmI extends RemoteCommand {
        WhoAmI(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("operator.whoami", args());
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().printf("%s (role %s, key %s)%n", result.path("name").asText(), result.path("role").asText(),
                    result.path("keyId").asText());
        }
    }

    @Command(name = "rotate", description = "Ask a device to rotate its key; it learns this on its next exchange.")
    static final class KeyRotate extends NamedCommand {

        KeyRotate(CliContext context) {
            super(context, "key.rotate");
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().println("rotation requested for " + result.path("name").asText());
        }
    }

    @Command(name = "add", description = "Add an operator by public key, with one role.")
    static final class OperatorAdd extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Operator name.")
        String name;

        @Option(names = "--key", required = true, paramLabel = "PUB.pem", description = "The operator's public key.")
        Path key;

        @Option(names = "--role", required = true, paramLabel = "R", description = "admin, operator, installer or auditor.")
        String role;

        private String publicKey;

        OperatorAdd(CliContext context) {
            super(context);
        }

        @Override
        void readFiles() throws IOException {
            publicKey = pem(key);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("operator.add", args().put("name", name).put("publicKey", publicKey).put("role", role));
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().printf("added operator %s (role %s)%n  key %s%n", result.path("name").asText(),
                    result.path("role").asText(), result.path("keyId").asText());
        }
    }

    @Command(name = "list", description = "List operators.")
    static final class OperatorList extends RemoteCommand {

        OperatorList(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("operator.list", args());
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("NAME", "ROLE", "KEY ID");
            for (JsonNode op : result.path("operators")) {
                table.row(op.path("name").asText(), op.path("role").asText(), op.path("keyId").asText());
            }
            table.print(context.out());
        }
    }

    @Command(name = "remove", description = "Remove an operator; its live session is cut at once.")
    static final class OperatorRemove extends NamedCommand {

        OperatorRemove(CliContext context) {
            super(context, "operator.remove");
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().println("removed operator " + result.path("name").asText());
        }
    }
}
