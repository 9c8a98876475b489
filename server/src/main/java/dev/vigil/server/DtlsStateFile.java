package dev.vigil.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.elements.util.DataStreamReader;
import org.eclipse.californium.elements.util.DatagramWriter;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.elements.util.SerializationUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.dtls.ConnectionIdGenerator;
import org.eclipse.californium.scandium.dtls.NodeConnectionIdGenerator;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.DTLSConnectionState;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device endpoint's established DTLS connections across a clean restart, in one file of the data
 * directory, written with Scandium's own connection serialisation and sealed with AES-256-GCM under a key kept
 * in its own 0600 file (never in the database). The file is read once: it is removed when loaded, and a file
 * that does not decrypt, or was saved longer ago than the maximum age, is ignored with one log line (its
 * devices then run a full handshake).
 * <p>
 * A file saved under other Connection IDs — another length, or another cluster node id (a single node that joined
 * a cluster, a node renumbered) — is ignored the same way: its sessions' Connection IDs would never reach this node
 * again, or would be forwarded away from it.
 * <p>
 * Layout: {@code "VDTLS2"}, saved-at (epoch ms, 8 bytes), the length of the Connection ID description (1 byte) and
 * that description (US-ASCII, e.g. {@code "cid 5 bytes, node 2"}), 12-byte nonce, ciphertext with its 16-byte tag;
 * everything before the nonce is authenticated too. A {@code "VDTLS1"} file (no description) is still read. The plaintext is Scandium's nano-time synchronisation mark followed
 * by the connector's {@code saveConnections} output.
 */
final class DtlsStateFile {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsStateFile.class);
    private static final byte[] MAGIC = "VDTLS2".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_WITHOUT_IDS = "VDTLS1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + Long.BYTES;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final Path file;
    private final SecretKeySpec key;
    private final Duration maxAge;
    private final Clock clock;
    private final byte[] connectionIds;

    /** @param connectionIds how the connector makes its Connection IDs ({@code null}: none) */
    DtlsStateFile(Path file, byte[] key, Duration maxAge, Clock clock, ConnectionIdGenerator connectionIds) {
        this.file = file;
        this.connectionIds = describe(connectionIds).getBytes(StandardCharsets.US_ASCII);
        this.key = new SecretKeySpec(key, "AES");
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** What a save wrote, and the connections it left out because Scandium cannot write them. */
    record Saved(int connections, int unwritable) {
    }

    /**
     * Writes the stopped connector's connections (none: no file). A connection whose established keys were destroyed
     * — a handshake that failed after its session was established, before the peer's first record; Scandium keeps the
     * connection — cannot be written (Scandium throws on its keys), so it is left out and counted: its device runs a
     * full handshake after the restart, as it would have on this node anyway.
     */
    Saved save(DTLSConnector connector) throws IOException {
        int unwritable = leaveOutUnwritable(connector);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        DatagramWriter mark = new DatagramWriter();
        SerializationUtil.writeNanotimeSynchronizationMark(mark);
        mark.writeTo(plain);
        int count = connector.saveConnections(plain, maxAge.toSeconds());
        if (count == 0) {
            return new Saved(0, unwritable);
        }
        byte[] nonce = new byte[NONCE];
        new SecureRandom().nextBytes(nonce);
        byte[] header = ByteBuffer.allocate(HEADER + 1 + connectionIds.length).put(MAGIC).putLong(clock.millis())
                .put((byte) connectionIds.length).put(connectionIds).array();
        byte[] sealed;
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(header);
            sealed = gcm.doFinal(plain.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("sealing the DTLS state failed", e);
        }
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(fresh);
        Files.createFile(fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(fresh, ByteBuffer.allocate(header.length + NONCE + sealed.length).put(header).put(nonce)
                .put(sealed).array());
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Saved(count, unwritable);
    }

    /**
     * Marks as closed the established contexts that are in epoch 1 or later but have no keys (Scandium's save skips
     * closed ones; their keys are gone anyway, and with them the peer identity); returns how many.
     */
    private static int leaveOutUnwritable(DTLSConnector connector) throws IOException {
        AtomicInteger count = new AtomicInteger();
        try {
            connector.startForEach((Filter<Connection>) connection -> {
                DTLSContext context = connection.getEstablishedDtlsContext();
                if (context != null && !context.isMarkedAsClosed() && context.getReadEpoch() > 0
                        && context.getReadState() == DTLSConnectionState.NULL) {
                    context.markCloseNotify(context.getReadEpoch(), 0);
                    count.incrementAndGet();
                }
                return false;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while leaving out unwritable connections", e);
        } catch (ExecutionException e) {
            throw new IOException("leaving out unwritable connections failed", e.getCause());
        }
        return count.get();
    }

    /**
     * Loads the saved connections into the not yet started connector and removes the file; returns how many
     * (0 if there was no file, or it was ignored).
     */
    int load(DTLSConnector connector) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file); // read once: a state file replayed later would reuse sequence numbers
        String problem = null;
        byte[] plain = null;
        boolean described = startsWith(bytes, MAGIC);
        int header = described && bytes.length > HEADER ? HEADER + 1 + (bytes[HEADER] & 0xff) : HEADER;
        if (bytes.length < header + NONCE + TAG_BITS / 8 || !(described || startsWith(bytes, MAGIC_WITHOUT_IDS))) {
            problem = "not a DTLS state file";
        } else {
            long age = clock.millis() - ByteBuffer.wrap(bytes, MAGIC.length, Long.BYTES).getLong();
            try {
                Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
                gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, header, NONCE));
                gcm.updateAAD(bytes, 0, header);
                plain = gcm.doFinal(bytes, header + NONCE, bytes.length - header - NONCE);
                String saved = described ? new String(bytes, HEADER + 1, header - HEADER - 1, StandardCharsets.US_ASCII)
                        : null;
                String own = new String(connectionIds, StandardCharsets.US_ASCII);
                if (age < 0 || age > maxAge.toMillis()) {
                    problem = "saved " + Duration.ofMillis(age).toSeconds() + " s ago, over the maximum age of "
                            + maxAge.toSeconds() + " s";
                } else if (saved != null && !saved.equals(own)) {
                    problem = "saved with Connection IDs of another kind (" + saved + "; this node: " + own + ")";
                }
            } catch (GeneralSecurityException e) {
                problem = "it does not decrypt with dtls-state.key";
            }
        }
        if (problem != null) {
            LOG.warn("event=dtls-state-ignored file={} reason=\"{}\": devices will run a full handshake", file, problem);
            return 0;
        }
        ByteArrayInputStream in = new ByteArrayInputStream(plain);
        long delta = SerializationUtil.readNanotimeSynchronizationMark(new DataStreamReader(in));
        return connector.loadConnections(in, delta);
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        return bytes.length >= magic.length && Arrays.equals(magic, Arrays.copyOf(bytes, magic.length));
    }

    /** The Connection IDs a connector issues, in words: what a saved session's records will carry. */
    static String describe(ConnectionIdGenerator ids) {
        if (ids == null || !ids.useConnectionId()) {
            return "no cid";
        }
        int length = ids.createConnectionId().length();
        return ids instanceof NodeConnectionIdGenerator node ? "cid " + length + " bytes, node " + node.getNodeId()
                : "cid " + length + " bytes";
    }
}
