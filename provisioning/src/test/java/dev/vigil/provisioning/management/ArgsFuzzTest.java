package dev.vigil.provisioning.management;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;

/**
 * Fuzzes the argument readers of every management operation ({@link Args}) with arbitrary JSON
 * objects. Oracle: each reader returns what its operation may use as it is — a non-empty text, a whole
 * number within its bounds and equal to the argument, a P-256 or Ed25519 key — or throws
 * IllegalArgumentException with a one-line message (4.00). Anything else is a finding (5.00).
 * Regression inputs: {@code ArgsFuzzTestInputs/readers/}.
 */
class ArgsFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest
    @DictionaryEntries({"\"name\"", "\"n\"", "\"ttlSeconds\"", "\"publicKey\"", "null", "1.5", "1e3", "-1",
        "2147483648", "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"})
    void readers(byte[] body) {
        JsonNode args;
        try {
            args = JSON.readTree(body);
        } catch (IOException notJson) {
            return; // ManagementArgumentsFuzzTest covers the body itself
        }
        if (args == null || !args.isObject()) {
            return;
        }
        read(() -> require(!Args.text(args, "name").isEmpty(), "a non-empty text", args));
        read(() -> {
            String text = Args.optionalText(args, "name");
            require(text == null || !text.isEmpty(), "null or a non-empty text", text);
        });
        read(() -> {
            int n = Args.integer(args, "n", 20, 1, 1000);
            require(n >= 1 && n <= 1000, "1 to 1000", n);
            require(given(args.get("n"), n), "the number given", args.get("n") + " read as " + n);
        });
        read(() -> {
            long seconds = Args.number(args, "ttlSeconds", 3600);
            require(seconds >= 0, "at least 0", seconds);
            require(given(args.get("ttlSeconds"), seconds), "the number given", args.get("ttlSeconds") + " read as " + seconds);
        });
        read(() -> {
            PublicKey key = Args.publicKey(args, "publicKey");
            require(key instanceof ECPublicKey || key instanceof EdECPublicKey, "an EC or EdDSA key", key);
        });
    }

    /** Is {@code read} the argument's value (or was there none, so the fallback)? */
    private static boolean given(JsonNode value, long read) {
        if (value == null || value.isNull()) {
            return true;
        }
        return value.isIntegralNumber() ? value.bigIntegerValue().equals(java.math.BigInteger.valueOf(read))
                : value.decimalValue().compareTo(java.math.BigDecimal.valueOf(read)) == 0;
    }

    private static void read(Runnable reader) {
        try {
            reader.run();
        } catch (IllegalArgumentException refused) {
            require(refused.getMessage() != null && !refused.getMessage().isBlank()
                    && refused.getMessage().lines().count() == 1, "a one-line reason", refused.getMessage());
        }
    }

    static void require(boolean holds, String what, Object value) {
        if (!holds) {
            throw new AssertionError("expected " + what + ", got " + value);
        }
    }
}
