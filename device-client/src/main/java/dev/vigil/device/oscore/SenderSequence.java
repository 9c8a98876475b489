package dev.vigil.device.oscore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The child's next OSCORE sender sequence number, kept in a file next to its context: a number is written as
 * used before the request that uses it leaves (RFC 8613 Appendix B.1.1), so a crash or restart never sends two
 * requests under the same nonce; a crash between the two loses one number, never reuses one.
 */
final class SenderSequence {

    private final Path file;

    SenderSequence(Path contextFile) {
        this.file = contextFile.resolveSibling(contextFile.getFileName() + ".seq");
    }

    /** Reserves and returns the next number. */
    synchronized int reserve() throws IOException {
        int next = Files.exists(file) ? Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim()) : 0;
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, Integer.toString(next + 1), StandardCharsets.US_ASCII);
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return next;
    }
}
