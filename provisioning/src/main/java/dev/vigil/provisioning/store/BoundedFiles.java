package dev.vigil.provisioning.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads files a user names (key files, manifests, policy documents) with a size limit, so that a wrong
 * path such as {@code /dev/zero} or a multi-gigabyte file is one clear error instead of an
 * {@code OutOfMemoryError}. Reads at most {@code limit + 1} bytes whatever the file is (devices and
 * pipes included); every failure is an {@link IOException} whose message is one line naming the file.
 */
public final class BoundedFiles {

    /** Key files (PEM private + public key, or a public key): a P-256 pair is under 400 bytes. */
    public static final int KEY_FILE_LIMIT = 64 * 1024;
    /** Policy documents: the shipped ones are about 2 KB. */
    public static final int POLICY_FILE_LIMIT = 1024 * 1024;
    /** Manufacturer manifests: about 150 bytes a device, so some 400,000 devices. */
    public static final int MANIFEST_FILE_LIMIT = 64 * 1024 * 1024;
    /** Small one-line files such as {@code mgmt.uri}. */
    public static final int SMALL_FILE_LIMIT = 4 * 1024;

    private BoundedFiles() {
    }

    /**
     * The text of {@code file}, strictly decoded, if it has at most {@code limit} bytes.
     *
     * @param what what the file should be, for the message ("key file", "policy document")
     */
    public static String readText(Path file, int limit, Charset charset, String what) throws IOException {
        byte[] bytes = readBytes(file, limit, what);
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not a " + what + " (not " + charset.name() + " text)");
        }
    }

    /** At most {@code limit} bytes of {@code file}; more is an error, nothing is read past {@code limit + 1}. */
    public static byte[] readBytes(Path file, int limit, String what) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a " + what);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(limit + 1);
        } catch (NoSuchFileException e) {
            throw e; // the CLIs say "no such file: FILE"
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied");
        } catch (FileSystemException e) {
            throw new IOException(file + ": " + (e.getReason() == null ? "cannot be read" : e.getReason()));
        }
        if (bytes.length > limit) {
            throw new IOException(file + ": larger than " + size(limit) + "; not a " + what);
        }
        return bytes;
    }

    /** {@code 65536} as {@code 64 KiB}. */
    public static String size(int bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }
}
