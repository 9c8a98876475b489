package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.operators.Recovery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vigil recover --data DIR}: break-glass access for whoever can reach the data directory of a
 * stopped server — a new operator who may govern again. Runs locally, not through the endpoint.
 */
@Command(name = "recover", description = "Break glass: with the server stopped, add an operator who may apply policy"
        + " and manage operators again (needs local access to the data directory; audited).")
final class RecoverCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data directory of a stopped server.")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the new operator (default recovery-<UTC time>).")
    String name;

    @Option(names = "--key", paramLabel = "FILE",
            description = "The new operator's public key; default: a new key pair written to DIR/operator-NAME.pem (0600).")
    Path key;

    private final CliContext context;

    RecoverCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        DataDir dir = new DataDir(data);
        if (!dir.isInitialised()) {
            throw new IOException(data + " is not a Vigil data directory (no server-key.pem)");
        }
        String operator = name != null ? name : "recovery-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC));
        Path keyFile = key == null ? dir.root().resolve("operator-" + operator + ".pem") : null;
        if (keyFile != null && Files.exists(keyFile)) {
            throw new IOException(keyFile + " already exists; pass --name or --key");
        }
        KeyPair generated = keyFile == null ? null : PemFiles.generateP256();
        PublicKey publicKey = generated != null ? generated.getPublic() : PemFiles.readPublicKey(key);
        if (generated != null) {
            PemFiles.writeKeyPair(keyFile, generated); // first: never an operator whose private key is lost
        }
        Recovery.Result result;
        try (Database database = dev.vigil.provisioning.store.DatabaseSettings.of(dir.properties())
                .open(dir.root(), context.environment())) {
            result = new Recovery(database).recover(operator, publicKey, dir.root().toString());
        } catch (RuntimeException e) {
            if (keyFile != null) {
                Files.deleteIfExists(keyFile);
            }
            throw e;
        }
        var out = context.out();
        out.printf("recovered %s: operator %s (role %s) may apply policy and manage operators again%n",
                dir.root(), result.operator().name(), result.role());
        if (result.policyChanged()) {
            out.printf("  policy version %d adds role '%s' (everything); narrow it once you are back in%n",
                    result.policyVersion(), result.role());
        }
        out.printf("  key id %s%s%n", result.operator().keyId(), keyFile == null ? "" : "\n  key    " + keyFile
                + " (private, 0600)");
        out.flush();
        return ExitCodes.OK;
    }
}
