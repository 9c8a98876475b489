package dev.vigil.provisioning.devices;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vigil.provisioning.Names;
import dev.vigil.provisioning.keys.KeyIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes manufacturer manifests ({@code vigil device import FILE}), CSV and JSON. Oracle: a manifest is
 * either read into devices that can be imported as they are — valid unique names, valid profiles,
 * unique key ids that are the hash of the public key when there is one — or refused with an
 * IOException whose every line names the file (at most 20 lines, one per bad row). Any other exception
 * or error is a finding. Regression inputs: {@code ManifestFuzzTestInputs/<method>/}.
 */
class ManifestFuzzTest {

    @FuzzTest
    // no line breaks here: jazzer-junit 0.24 writes them unescaped into libFuzzer's line-based dictionary
    @DictionaryEntries({"name,profile,key", "\"", "\"\"", ",", "ni:///sha-256;", "-----BEGIN PUBLIC KEY-----",
        "-----END PUBLIC KEY-----", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"})
    void csv(byte[] bytes) {
        check("manifest.csv", new String(bytes, StandardCharsets.UTF_8));
    }

    @FuzzTest
    @DictionaryEntries({"\"name\"", "\"profile\"", "\"key\"", "ni:///sha-256;", "-----BEGIN PUBLIC KEY-----",
        "-----END PUBLIC KEY-----", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"})
    void json(byte[] bytes) {
        check("manifest.json", new String(bytes, StandardCharsets.UTF_8));
    }

    private static void check(String file, String text) {
        List<ManifestRow> rows;
        try {
            rows = Manifest.parse(file, text);
        } catch (IOException refused) {
            String message = refused.getMessage();
            require(message != null && !message.isBlank(), "a message", message);
            require(message.lines().count() <= 20, "at most 20 lines", message);
            message.lines().forEach(line -> require(line.startsWith(file + ": "), "each line naming the file", line));
            return;
        }
        require(!rows.isEmpty(), "at least one device", rows);
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (ManifestRow row : rows) {
            Names.require("device name", row.name());
            Names.require("profile", row.profile());
            require(names.add(row.name()), "unique names", row.name());
            require(keys.add(row.keyId()), "unique keys", row.keyId());
            require(row.keyId().matches("ni:///sha-256;[A-Za-z0-9_-]{43}"), "a key id", row.keyId());
            require(row.publicKey() == null || KeyIds.ofSubjectPublicKeyInfo(row.publicKey()).equals(row.keyId()),
                    "the key id of the public key", row.keyId());
        }
    }

    static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
