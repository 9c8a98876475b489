package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.KeyIds;
import dev.vigil.provisioning.PemFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil init --data DIR}: a new data directory. Runs locally, not through the endpoint. */
@Command(name = "init", description = "Create a data directory: database, server key pair, first admin operator key.")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "New or empty directory.")
    Path data;

    private final CliContext context;

    InitCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        DataDir dir = DataDir.init(data);
        var out = context.out();
        out.println("initialised " + dir.root().toAbsolutePath());
        out.println("  database         " + dir.root().resolve("vigil.mv.db"));
        out.println("  server key       " + dir.serverKey() + " (private, 0600)");
        out.println("  server public    " + dir.serverPublicKey() + " (devices pin this)");
        out.println("  admin operator   " + dir.adminKey() + " (private, 0600)");
        out.println("    key id         " + KeyIds.of(PemFiles.readPublicKey(dir.adminKey())));
        out.println("  configuration    " + dir.config());
        out.flush();
        return ExitCodes.OK;
    }
}
