package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.DatabaseSettings;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vigil init --data DIR [--db-url URL ...]}: a new data directory. Runs locally, not through the endpoint. */
@Command(name = "init", description = "Create a data directory: database, server key pair, first admin operator key.")
final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "New or empty directory.")
    Path data;

    @Option(names = "--db-url", paramLabel = "URL", description = "A shared registry (jdbc:postgresql://host:port/db)"
            + " instead of the embedded database; password from VIGIL_DB_PASSWORD or --db-password-file.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "User name for --db-url (default vigil).")
    String dbUser;

    @Option(names = "--db-password-file", paramLabel = "FILE", description = "File holding the database password.")
    Path dbPasswordFile;

    @Option(names = "--db-password", hidden = true, paramLabel = "PASSWORD")
    String dbPassword;

    @Option(names = "--server-key", paramLabel = "FILE", description = "A further node of a shared registry: the first"
            + " node's server-key.pem (with --audit-key); no new server key is made.")
    Path serverKey;

    @Option(names = "--audit-key", paramLabel = "FILE", description = "A further node: the first node's audit-key.pem.")
    Path auditKey;

    private final CliContext context;

    InitCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (dbPassword != null) {
            throw new ParameterException(spec.commandLine(), "a database password on the command line is refused"
                    + " (others can read it): set " + DatabaseSettings.PASSWORD_VARIABLE + " or use --db-password-file");
        }
        if ((serverKey == null) != (auditKey == null)) {
            throw new ParameterException(spec.commandLine(), "a further node needs both --server-key and --audit-key");
        }
        if (dbPasswordFile != null && !Files.isReadable(dbPasswordFile)) {
            throw new ParameterException(spec.commandLine(), "cannot read --db-password-file " + dbPasswordFile);
        }
        DatabaseSettings database;
        try {
            database = new DatabaseSettings(dbUrl, dbUser,
                    dbPasswordFile == null ? null : dbPasswordFile.toAbsolutePath().toString());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        DataDir dir = DataDir.init(data, database, context.environment(),
                serverKey == null ? null : new DataDir.NodeKeys(serverKey, auditKey));
        var out = context.out();
        out.println("initialised " + dir.root().toAbsolutePath());
        out.println("  database         " + (database.embedded() ? dir.root().resolve("vigil.mv.db") : database.url()));
        out.println("  server key       " + dir.serverKey() + " (private, 0600"
                + (serverKey == null ? ")" : ", copied from " + serverKey + ")"));
        out.println("  server public    " + dir.serverPublicKey() + " (devices pin this)");
        if (Files.exists(dir.adminKey())) {
            out.println("  admin operator   " + dir.adminKey() + " (private, 0600)");
            out.println("    key id         " + KeyIds.of(PemFiles.readPublicKey(dir.adminKey())));
        } else {
            out.println("  operators        those of the shared registry (no new operator key)");
        }
        out.println("  configuration    " + dir.config());
        out.flush();
        return ExitCodes.OK;
    }
}
