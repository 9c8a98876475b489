package dev.vigil.provisioning.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed statement "the audit chain's record {@code seq} has hash {@code hash}", made at {@code at} with
 * the node's audit key. Since every record's hash covers the one before it, a valid anchor vouches for the
 * whole chain up to {@code seq}: rewriting any of it needs the audit key, which is never in the database.
 */
public record AuditAnchor(long seq, String hash, Instant at, byte[] signature) {

    private static final String CONTEXT = "vigil-audit-anchor-v1";
    private static final Pattern LINE = Pattern.compile(
            "seq=(\\d{1,18}) hash=([0-9a-f]{64}) at=(\\S{1,40}) signature=([A-Za-z0-9_-]{1,200})");

    /** The bytes the audit key signs. */
    public byte[] signedBytes() {
        return (CONTEXT + "\n" + seq + "\n" + hash + "\n" + at).getBytes(StandardCharsets.US_ASCII);
    }

    public String signatureText() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    /** One line, as kept in the data directory's copy. */
    public String line() {
        return "seq=" + seq + " hash=" + hash + " at=" + at + " signature=" + signatureText() + "\n";
    }

    /** Parses {@link #line()}; {@code source} names the text in errors. */
    public static AuditAnchor parse(String text, String source) throws IOException {
        Matcher m = LINE.matcher(text.strip());
        if (!m.matches()) {
            throw new IOException(source + ": not an audit anchor line");
        }
        try {
            return new AuditAnchor(Long.parseLong(m.group(1)), m.group(2), Instant.parse(m.group(3)),
                    Base64.getUrlDecoder().decode(m.group(4)));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new IOException(source + ": not an audit anchor line");
        }
    }
}
