package dev.vigil.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * A 32-byte secret kept in a file of its own, mode 0600, never in the database: the DTLS state key, the
 * cluster key. A file readable by others, or of another size, is refused.
 */
final class SecretKeyFile {

    static final int LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretKeyFile() {
    }

    /** The key in {@code file}; an IllegalArgumentException naming the file if it is absent, too open or not 32 bytes. */
    static byte[] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " does not exist");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IllegalArgumentException(file + " is readable by others (mode "
                    + PosixFilePermissions.toString(mode) + "); it must be 0600");
        }
        if (Files.size(file) != LENGTH) {
            throw new IllegalArgumentException(file + " must hold exactly " + LENGTH + " bytes, not " + Files.size(file));
        }
        return Files.readAllBytes(file);
    }

    /** The key in {@code file}, made (random, 0600) if there is none yet. */
    static byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[LENGTH];
            new SecureRandom().nextBytes(key);
            Path fresh = Files.createFile(file.resolveSibling(file.getFileName() + ".new"),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.write(fresh, key);
            Files.move(fresh, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return read(file);
    }
}
