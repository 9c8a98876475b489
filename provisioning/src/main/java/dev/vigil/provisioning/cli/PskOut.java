package dev.vigil.provisioning.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file {@code vigil device add --mode proxy --psk-out FILE} writes a PSK child's identity and key to: new, 0600,
 * one line of libcoap arguments, {@code -u IDENTITY -k KEY} (both shell-safe by construction), so that
 * {@code coap-client-gnutls $(cat FILE) ...} uses them.
 */
final class PskOut {

    private PskOut() {
    }

    /** Refuses before anything is registered: the file must not exist yet, its directory must. */
    static void check(Path file) {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists: --psk-out writes a new file only");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("no directory for --psk-out " + file);
        }
    }

    static void write(Path file, String identity, String key) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "-u " + identity + " -k " + key + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.TRUNCATE_EXISTING);
    }
}
