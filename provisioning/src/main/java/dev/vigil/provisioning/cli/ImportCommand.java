package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vigil.provisioning.store.BoundedFiles;
import dev.vigil.provisioning.devices.Manifest;
import dev.vigil.provisioning.devices.ManifestRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil device import FILE}: a manufacturer manifest (CSV or JSON). Checked whole here first, sent
 * in chunks with a progress line, committed by the server in one transaction with the last chunk: all
 * or nothing.
 */
@Command(name = "import", description = "Import a manufacturer manifest (CSV name,profile,key or JSON);"
        + " each device's first handshake activates it.")
final class ImportCommand extends RemoteCommand {

    static final int CHUNK = 2000;

    @Parameters(index = "0", paramLabel = "FILE", description = "Manifest: .csv with header name,profile,key, or .json.")
    Path file;

    private List<ManifestRow> rows;

    ImportCommand(CliContext context) {
        super(context);
    }

    @Override
    void readFiles() throws IOException {
        rows = Manifest.parse(file.getFileName().toString(), BoundedFiles.readText(file,
                BoundedFiles.MANIFEST_FILE_LIMIT, StandardCharsets.UTF_8, "manifest"));
    }

    @Override
    JsonNode run(ManagementClient client) throws ManagementException {
        String id = UUID.randomUUID().toString();
        JsonNode result = null;
        for (int start = 0; start < rows.size(); start += CHUNK) {
            List<ManifestRow> chunk = rows.subList(start, Math.min(rows.size(), start + CHUNK));
            ArrayNode array = JSON.createArrayNode();
            for (ManifestRow row : chunk) {
                array.addObject().put("name", row.name()).put("profile", row.profile()).put("key",
                        row.publicKey() == null ? row.keyId() : Base64.getEncoder().encodeToString(row.publicKey()));
            }
            boolean last = start + chunk.size() == rows.size();
            if (last) {
                context.err().printf("import: %d/%d devices sent; committing...%n", rows.size(), rows.size());
                context.err().flush();
            }
            result = client.call("device.import", args().put("import", id).put("source", file.getFileName().toString())
                    .put("last", last).set("rows", array));
            if (!last) {
                context.err().printf("import: %d/%d devices sent%n", start + chunk.size(), rows.size());
                context.err().flush();
            }
        }
        return result;
    }

    @Override
    void printHuman(JsonNode result) {
        context.out().printf("imported %d devices (PROVISIONED: each is activated by its first handshake)%n",
                result.path("imported").asInt());
    }
}
