package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil keygen OUT}: a new operator (or firmware signing) key, EC P-256, made locally. OUT gets the PKCS#8
 * private key followed by its public key block, mode 0600 from creation (the form the device's key file has);
 * {@code OUT} without {@code .pem} plus {@code .pub.pem} gets the public key, what an admin registers with
 * {@code vigil operator add}. Refuses to overwrite either.
 */
@Command(name = "keygen", description = "Make an operator key: OUT (private + public, 0600) and OUT's .pub.pem.")
final class KeygenCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "OUT", description = "New key file, e.g. alice.pem (alice.pub.pem too).")
    Path out;

    private final CliContext context;

    KeygenCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Path publicFile = publicFileOf(out);
        for (Path file : new Path[] {out, publicFile}) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file + " already exists; refusing to overwrite a key");
            }
        }
        KeyPair pair = PemFiles.generateP256();
        PemFiles.writeKeyPair(out, pair);
        PemFiles.writePublicKey(publicFile, pair.getPublic());
        context.out().println(KeyIds.of(pair.getPublic()));
        context.err().println("wrote " + out + " (private, 0600) and " + publicFile
                + " (register it: vigil operator add NAME --key " + publicFile + " --role ROLE)");
        return ExitCodes.OK;
    }

    /** {@code alice.pem} → {@code alice.pub.pem}; {@code alice} → {@code alice.pub.pem}. */
    static Path publicFileOf(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name;
        return out.resolveSibling(stem + ".pub.pem");
    }
}
