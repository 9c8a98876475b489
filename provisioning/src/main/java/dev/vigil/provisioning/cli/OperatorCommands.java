package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.operators.OperatorKeyProof;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vigil operator role NAME ROLE} and {@code vigil operator rotate-key}. */
final class OperatorCommands {

    private OperatorCommands() {
    }

    @Command(name = "role", description = "Give an operator another role; it applies from the operator's next request.")
    static final class Role extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Operator name.")
        String name;

        @Parameters(index = "1", paramLabel = "ROLE", description = "A role of the policy in force.")
        String role;

        Role(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("operator.role", args().put("name", name).put("role", role));
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().println(result.path("changed").asBoolean() ? "operator " + name + " now has role " + role
                    : "operator " + name + ": already role " + role);
        }
    }

    @Command(name = "rotate-key", description = {"Replace your own operator key (--new-key: the new key pair file,"
            + " which proves you hold it), or, with NAME, another operator's (--new-public-key).",
            "The old key is refused at once and its live session cut."})
    static final class RotateKey extends RemoteCommand {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Another operator (default: you).")
        String name;

        @Option(names = "--new-key", paramLabel = "FILE", description = "Your new key pair (private key PEM).")
        Path newKey;

        @Option(names = "--new-public-key", paramLabel = "PUB.pem", description = "The other operator's new public key.")
        Path newPublicKey;

        private KeyPair ownNewKey;
        private String publicKey;

        RotateKey(CliContext context) {
            super(context);
        }

        @Override
        void readFiles() throws IOException {
            if (name == null && newKey == null) {
                throw usage("rotating your own key needs --new-key FILE (the new private key, to prove you hold it)");
            }
            if (name == null && newPublicKey != null) {
                throw usage("--new-public-key is for another operator's key (give its NAME); for your own use --new-key");
            }
            if (name != null && newPublicKey == null) {
                throw usage("replacing operator " + name + "'s key needs --new-public-key PUB.pem");
            }
            if (name != null && newKey != null) {
                throw usage("--new-key is for your own key; for operator " + name + " give --new-public-key PUB.pem");
            }
            if (newKey != null) {
                ownNewKey = PemFiles.readKeyPair(newKey);
                publicKey = PemFiles.publicKeyPem(ownNewKey.getPublic());
            } else {
                publicKey = AccessCommands.pem(newPublicKey);
            }
        }

        private ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            if (name != null) {
                return client.call("operator.set-key", args().put("name", name).put("publicKey", publicKey));
            }
            // the proof binds the key id the server authenticated this session with
            String currentKeyId = client.call("operator.whoami", args()).path("keyId").asText();
            byte[] proof;
            try {
                proof = OperatorKeyProof.sign(currentKeyId, ownNewKey.getPublic(), ownNewKey.getPrivate());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(newKey + ": cannot sign with this key: " + e.getMessage(), e);
            }
            return client.call("operator.rotate-key", args().put("publicKey", publicKey)
                    .put("proof", Base64.getEncoder().encodeToString(proof)));
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().printf("rotated operator %s's key%n  old key %s (refused from now on)%n  new key %s%n",
                    result.path("name").asText(), result.path("oldKeyId").asText(), result.path("keyId").asText());
            if (newKey != null) {
                context.out().println("use " + newKey + " as your operator key from now on");
            }
        }
    }
}
