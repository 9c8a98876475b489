package dev.vigil.provisioning.policy;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vigil.policy.CompiledPolicy;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes policy documents ({@code vigil policy validate|apply}, {@code policy.validate|apply} on the
 * management endpoint). Oracle: a document either compiles (and then also parses) or is refused with
 * {@link PolicyDocumentException} whose every error is located in the document — a line from 1 to one
 * past its last, a column of at least 1, a JSON Pointer ("" or "/...") and a one-line message — in file
 * order. Any other exception or error would be a 5.00 from the endpoint. Regression inputs:
 * {@code PolicyDocumentsFuzzTestInputs/compile/}.
 */
class PolicyDocumentsFuzzTest {

    @FuzzTest
    @DictionaryEntries({"\"profiles\"", "\"roles\"", "\"send\"", "\"resource\"", "\"methods\"", "\"formats\"",
        "\"maxPayload\"", "\"rate\"", "\"perSecond\"", "\"burst\"", "\"dailyVolume\"", "\"commands\"", "\"services\"",
        "\"conditions\"", "\"schedule\"", "\"zone\"", "\"windows\"", "\"days\"", "\"from\"", "\"to\"",
        "\"minFirmware\"", "\"minTier\"", "\"session\"", "\"maxLifetime\"", "\"approval\"", "\"maxKeyAge\"",
        "\"childAuth\"", "\"relay\"", "\"asserted\"",
        "\"operations\"", "\"POST\"", "\"MON\"", "\"24h\"", "\"500ms\"", "\"firmware\"", "\"key-rotation\"",
        "\"TRUSTED\"", "\"Europe/Berlin\"", "\"22:00\"", "\"*\"", "1e308", "9223372036854775808"})
    void compile(byte[] bytes) {
        String json = new String(bytes, StandardCharsets.UTF_8);
        CompiledPolicy compiled;
        try {
            compiled = PolicyDocuments.compile(json, 1);
        } catch (PolicyDocumentException refused) {
            checkErrors(json, refused);
            return;
        }
        require(compiled != null && compiled.version() == 1, "a compiled policy of version 1", compiled);
        try {
            PolicyDocuments.parse(json, 1);
        } catch (PolicyDocumentException e) {
            throw new AssertionError("compiles but does not parse: " + e.errors(), e);
        }
    }

    private static void checkErrors(String json, PolicyDocumentException refused) {
        long lines = json.lines().count() + 1;
        require(!refused.errors().isEmpty(), "at least one error", refused.errors());
        DocumentError previous = null;
        for (DocumentError error : refused.errors()) {
            require(error.line() >= 1 && error.line() <= lines, "a line from 1 to " + lines, error);
            require(error.column() >= 1, "a column of at least 1", error);
            require(error.path().isEmpty() || error.path().startsWith("/"), "a JSON Pointer", error);
            require(error.message() != null && !error.message().isBlank()
                    && error.message().lines().count() == 1, "a one-line message", error);
            require(previous == null || previous.line() < error.line()
                    || previous.line() == error.line() && previous.column() <= error.column(), "file order", error);
            previous = error;
        }
    }

    static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
