package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The file {@code vigil device add --mode oscore --oscore-out FILE} writes the child's OSCORE context to: new, 0600. */
final class OscoreOut {

    private OscoreOut() {
    }

    /** Refuses before anything is registered: the file must not exist yet, its directory must. */
    static void check(Path file) {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists: --oscore-out writes a new file only");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("no directory for --oscore-out " + file);
        }
    }

    static void write(Path file, JsonNode context) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(context),
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}
