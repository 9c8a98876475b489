package dev.vigil.bench.imports;

import dev.vigil.bench.Ctx;
import dev.vigil.bench.Fixtures;
import dev.vigil.bench.Section;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.Manifest;
import dev.vigil.provisioning.devices.ManifestRow;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.cli.VigilCli;
import dev.vigil.server.Main;
import dev.vigil.server.VigilServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

/** Bulk import of a manufacturer manifest: in the registry directly, and through {@code vigil device import}. */
public final class ImportBench {

    private ImportBench() {
    }

    public static Section run(Ctx ctx) throws Exception {
        Section section = new Section("import", "Bulk import of a manufacturer manifest", "path", "devices",
                "seconds", "rows/s", "what is timed");
        int devices = ctx.pick(100_000, 20_000);
        String manifest = manifest(devices);
        Path file = Fixtures.file(ctx, "manifest.csv");
        Files.writeString(file, manifest, StandardCharsets.UTF_8);

        long t0 = System.nanoTime();
        List<ManifestRow> rows = Manifest.parse("manifest.csv", manifest);
        double parse = (System.nanoTime() - t0) / 1e9;
        section.row("Manifest.parse (CSV, key ids)", rows.size(), parse, rows.size() / parse, "parsing and checking");

        DataDir direct = Fixtures.dataDir(ctx, "import-direct");
        try (Database database = Database.openEmbedded(direct.root())) {
            Registry registry = Registry.open(database, Clock.systemUTC());
            long t1 = System.nanoTime();
            int imported = registry.importer().importAll(rows, "manifest.csv", Actor.system("bench"), n -> {
            });
            double seconds = (System.nanoTime() - t1) / 1e9;
            section.row("DeviceImporter.importAll on a fresh data dir", imported, seconds, imported / seconds,
                    "one transaction, JDBC batches of " + dev.vigil.provisioning.devices.DeviceImporter.BATCH
                            + ", duplicate check per row");
        }

        DataDir viaCli = Fixtures.dataDir(ctx, "import-cli");
        try (VigilServer server = VigilServer.start(viaCli, Fixtures.serverConfig(30), Clock.systemUTC())) {
            Files.writeString(viaCli.managementUriFile(), server.managementUri() + "\n", StandardCharsets.US_ASCII);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            long t2 = System.nanoTime();
            int code = VigilCli.run(Main.context(new PrintWriter(out, true), new PrintWriter(err, true)), "device",
                    "import", file.toString(), "--data", viaCli.root().toString());
            double seconds = (System.nanoTime() - t2) / 1e9;
            if (code != 0) {
                section.row("`vigil device import` (in-process CLI → CoAPS → server)", devices, seconds, null,
                        "FAILED, exit " + code + ": " + err.toString().lines().reduce((a, b) -> b).orElse(""));
            } else {
                int listed = server.registry().devices().countByState().values().stream().mapToInt(Integer::intValue)
                        .sum();
                section.row("`vigil device import` (in-process CLI → CoAPS → server)", listed, seconds,
                        listed / seconds, "parse + chunks of 2,000 rows over CoAPS + server commit");
            }
        }
        section.define(String.format("A manifest of %,d devices (CSV `name,profile,key` with key ids"
                + " `ni:///sha-256;...`, profile sensor), imported into a fresh data directory (embedded H2): once with"
                + " DeviceImporter.importAll in-process, once through the operator CLI (`vigil device import FILE --data"
                + " DIR`, VigilCli with dev.vigil.server.Main.context, against a running node). Single run each.",
                devices));
        return section;
    }

    static String manifest(int devices) {
        StringBuilder csv = new StringBuilder("name,profile,key\n");
        SecureRandom random = new SecureRandom();
        byte[] digest = new byte[32];
        for (int i = 0; i < devices; i++) {
            random.nextBytes(digest);
            csv.append(String.format("dev-%06d", i)).append(",sensor,ni:///sha-256;")
                    .append(Base64.getUrlEncoder().withoutPadding().encodeToString(digest)).append('\n');
        }
        return csv.toString();
    }
}
