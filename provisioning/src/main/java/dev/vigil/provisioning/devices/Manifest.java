package dev.vigil.provisioning.devices;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.Printable;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.keys.PemFiles;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses a manufacturer manifest: CSV with a header row {@code name,profile,key} or a JSON array of
 * {@code {"name", "profile", "key"}} objects, where {@code key} is a PEM public key, a base64 DER
 * SubjectPublicKeyInfo, or a key id ({@code ni:///sha-256;...}). The whole file is checked before
 * anything is imported; every bad row is reported with its line (CSV) or index (JSON).
 */
public final class Manifest {

    private static final Pattern KEY_ID = Pattern.compile("ni:///sha-256;[A-Za-z0-9_-]{43}");
    private static final int MAX_ERRORS = 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Manifest() {
    }

    public static List<ManifestRow> parse(String fileName, String text) throws IOException {
        boolean json = fileName.toLowerCase(Locale.ROOT).endsWith(".json") || text.stripLeading().startsWith("[");
        List<String[]> raw;
        try {
            raw = json ? jsonRows(text) : Csv.parse(text);
        } catch (IOException e) {
            throw new IOException(Printable.forTerminal(fileName + ": " + e.getMessage()));
        }
        List<ManifestRow> rows = new ArrayList<>(raw.size());
        List<String> errors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            String[] cells = raw.get(i);
            String where = json ? "entry " + (i + 1) : "line " + cells[3];
            try {
                ManifestRow row = row(cells[0], cells[1], cells[2]);
                if (!names.add(row.name())) {
                    throw new IllegalArgumentException("device name '" + row.name() + "' appears twice");
                }
                if (!keys.add(row.keyId())) {
                    throw new IllegalArgumentException("key " + row.keyId() + " appears twice");
                }
                rows.add(row);
            } catch (IllegalArgumentException | IOException e) {
                if (errors.size() < MAX_ERRORS) {
                    errors.add(Printable.forTerminal(fileName + ": " + where + ": " + e.getMessage()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new IOException(String.join("\n", errors));
        }
        if (rows.isEmpty()) {
            throw new IOException(fileName + ": no devices in the manifest");
        }
        return rows;
    }

    /** One row from its three cells; throws with a one-line reason. */
    public static ManifestRow row(String name, String profile, String key) throws IOException {
        Names.require("device name", name);
        Names.require("profile", profile);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("no key");
        }
        key = key.strip();
        if (KEY_ID.matcher(key).matches()) {
            return new ManifestRow(name, profile, key, null);
        }
        PublicKey publicKey = key.startsWith("-----") ? PemFiles.parsePublicKey(key, "key")
                : PemFiles.decodePublicKey(decodeBase64(key), "key");
        return new ManifestRow(name, profile, KeyIds.of(publicKey), publicKey.getEncoded());
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is neither PEM, base64 DER nor a key id");
        }
    }

    private static List<String[]> jsonRows(String text) throws IOException {
        JsonNode array;
        try {
            array = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String message = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("not JSON");
            throw new IOException(at == null ? message : "line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + ": " + message);
        }
        if (array == null || !array.isArray()) {
            throw new IOException("a JSON manifest is an array of {\"name\", \"profile\", \"key\"} objects");
        }
        List<String[]> rows = new ArrayList<>();
        for (JsonNode entry : array) {
            rows.add(new String[] {entry.path("name").asText(null), entry.path("profile").asText(null),
                entry.path("key").asText(null), null});
        }
        return rows;
    }

    /** Minimal RFC 4180 CSV: quoted cells may hold commas, quotes ("") and newlines (for PEM keys). */
    static final class Csv {
        private Csv() {
        }

        /** Rows of {name, profile, key, line number}; the header must be name,profile,key. */
        static List<String[]> parse(String text) throws IOException {
            List<String[]> rows = new ArrayList<>();
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            int line = 1;
            int rowLine = 1;
            for (int i = 0; i <= text.length(); i++) {
                char ch = i < text.length() ? text.charAt(i) : '\n';
                if (quoted) {
                    if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        line += ch == '\n' ? 1 : 0;
                        cell.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else if (ch == '\n' || ch == '\r') {
                    if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    cells.add(cell.toString());
                    cell.setLength(0);
                    if (!(cells.size() == 1 && cells.get(0).isBlank())) {
                        if (cells.size() != 3) {
                            throw new IOException("line " + rowLine + ": expected 3 columns (name,profile,key), found "
                                    + cells.size());
                        }
                        rows.add(new String[] {cells.get(0).strip(), cells.get(1).strip(), cells.get(2),
                            Integer.toString(rowLine)});
                    }
                    cells.clear();
                    line++;
                    rowLine = line;
                } else {
                    cell.append(ch);
                }
            }
            if (quoted) {
                throw new IOException("line " + rowLine + ": unterminated quoted cell");
            }
            if (rows.isEmpty() || !String.join(",", rows.get(0)[0], rows.get(0)[1], rows.get(0)[2].strip())
                    .equalsIgnoreCase("name,profile,key")) {
                throw new IOException("line 1: the header must be name,profile,key");
            }
            return rows.subList(1, rows.size());
        }
    }
}
