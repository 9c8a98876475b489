package dev.vigil.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.interceptors.MessageInterceptorAdapter;

/**
 * Fetches a firmware image block-wise (RFC 7959) into {@code DIR/firmware.part}, keeping every block as it
 * arrives, so that an attempt the link cut short goes on from the first block it lacks rather than from zero.
 * {@code firmware.part.digest} says which image (its manifest's SHA-256) and block size the part belongs to; a
 * part of another image is thrown away. The first attempt lets Californium fetch block after block; a later one
 * asks for each missing block by number (a Block2 request with a number above 0 is delivered as it comes).
 */
final class ImageDownload {

    static final String PART = "firmware.part";
    static final String PART_DIGEST = "firmware.part.digest";

    private final DeviceClient client;
    private final Path part;
    private final Path meta;

    ImageDownload(DeviceClient client, Path dir) {
        this.client = client;
        this.part = dir.resolve(PART);
        this.meta = dir.resolve(PART_DIGEST);
    }

    /** Where the image is once {@link #fetch} returned true. */
    Path file() {
        return part;
    }

    /** Fetches what is missing of the image whose manifest digest is {@code digestHex}; false: the link failed. */
    boolean fetch(String digestHex) throws IOException {
        int szx = resumable(digestHex);
        if (szx < 0) {
            return fetchFromStart(digestHex);
        }
        int size = BlockOption.szx2Size(szx);
        long have = Files.size(part);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE)) {
            out.truncate(have / size * size); // a torn last block is fetched again
            for (int num = (int) (have / size); ; num++) {
                Request get = Request.newGet();
                get.getOptions().setBlock2(szx, false, num);
                DeviceClient.Outcome block = client.send("/fw/image", get);
                BlockOption got = block.options() == null ? null : block.options().getBlock2();
                if (block.code() != ResponseCode.CONTENT || got == null || got.getNum() != num) {
                    return false;
                }
                out.write(ByteBuffer.wrap(block.payload()), (long) num * size);
                if (!got.isM()) {
                    out.truncate((long) num * size + block.payload().length);
                    out.force(true);
                    return true;
                }
            }
        }
    }

    /** The block size exponent of a part of this image, or -1 if there is none (an old part is dropped). */
    private int resumable(String digestHex) throws IOException {
        if (Files.exists(meta) && Files.exists(part) && Files.size(part) > 0) {
            String[] saved = Files.readString(meta).strip().split(" ");
            if (saved.length == 2 && saved[0].equals(digestHex) && saved[1].matches("[0-6]")) {
                return Integer.parseInt(saved[1]);
            }
        }
        discard();
        return -1;
    }

    /** The first attempt: a transparent block-wise GET, with each block written down as it passes. */
    private boolean fetchFromStart(String digestHex) throws IOException {
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            int[] next = {0};
            MessageInterceptorAdapter keeper = new MessageInterceptorAdapter() {
                @Override
                public void receiveResponse(Response response) {
                    BlockOption block = response.getOptions().getBlock2();
                    if (block == null || response.getCode() != ResponseCode.CONTENT) {
                        return;
                    }
                    synchronized (next) {
                        if (block.getNum() != next[0]) {
                            return; // a retransmission, or another transfer's block
                        }
                        try {
                            if (next[0] == 0) {
                                Files.writeString(meta, digestHex + " " + block.getSzx() + "\n");
                            }
                            out.write(ByteBuffer.wrap(response.getPayload()), (long) block.getNum() * block.getSize());
                            next[0]++;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            };
            client.addInterceptor(keeper);
            DeviceClient.Outcome image;
            try {
                image = client.send("/fw/image", Request.newGet());
            } finally {
                client.removeInterceptor(keeper);
            }
            synchronized (next) {
                out.force(true);
                if (image.code() != ResponseCode.CONTENT) {
                    return false;
                }
                out.truncate(0); // whole: what came back is the image (also when it came in one piece)
                out.write(ByteBuffer.wrap(image.payload()), 0);
                out.force(true);
                return true;
            }
        }
    }

    /** Whether the fetched file is {@code size} bytes with SHA-256 {@code digestHex}. */
    boolean matches(long size, String digestHex) throws IOException {
        if (Files.size(part) != size) {
            return false;
        }
        try (InputStream in = Files.newInputStream(part)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha256.digest()).equals(digestHex);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets the part (after an install, or when it cannot be the image). */
    void discard() throws IOException {
        Files.deleteIfExists(part);
        Files.deleteIfExists(meta);
    }
}
