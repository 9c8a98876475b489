package dev.vigil.provisioning.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.keys.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad files named on the command line: one clear line naming the file, exit 1, and nothing sent (every
 * file is read before the command connects). A device such as {@code /dev/zero} is read only up to the
 * file's limit, never into an OutOfMemoryError.
 */
class VigilCliFilesTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path operatorKey;
    private Path serverKey;

    @BeforeEach
    void keys() throws Exception {
        operatorKey = dir.resolve("operator.pem");
        PemFiles.writeKeyPair(operatorKey, PemFiles.generateP256());
        serverKey = dir.resolve("server.pub.pem");
        PemFiles.writePublicKey(serverKey, PemFiles.generateP256().getPublic());
    }

    private int vigil(String... args) {
        CliContext context = new CliContext(
                endpoint -> {
                    throw new AssertionError("a bad file must be refused before connecting");
                },
                (data, port, mgmt) -> {
                    throw new AssertionError("no server here");
                },
                Map.of(), new PrintWriter(out), new PrintWriter(err));
        List<String> all = new ArrayList<>();
        for (String arg : args) {
            all.add(arg.replace("OPERATOR_KEY", operatorKey.toString()).replace("SERVER_KEY", serverKey.toString())
                    .replace("DIR", dir.toString()));
        }
        return VigilCli.run(context, all.toArray(String[]::new));
    }

    private String[] errLines() {
        return err.toString().split("\\R");
    }

    @ParameterizedTest(name = "vigil {0}")
    @CsvSource(delimiter = '|', value = {
        "device list --server coaps://127.0.0.1:1 --key /dev/zero --server-key SERVER_KEY"
            + " | vigil device list: /dev/zero: larger than 64 KiB; not a key file",
        "device list --server coaps://127.0.0.1:1 --operator-key /dev/zero --server-key SERVER_KEY"
            + " | vigil device list: /dev/zero: larger than 64 KiB; not a key file",
        "device list --server coaps://127.0.0.1:1 --key OPERATOR_KEY --server-key /dev/zero"
            + " | vigil device list: /dev/zero: larger than 64 KiB; not a key file",
        "device add s1 --profile sensor --key /dev/zero --operator-key OPERATOR_KEY --server-key SERVER_KEY"
            + " --server coaps://127.0.0.1:1 | vigil device add: /dev/zero: larger than 64 KiB; not a key file",
        "operator add bob --role auditor --key /dev/zero --operator-key OPERATOR_KEY --server-key SERVER_KEY"
            + " --server coaps://127.0.0.1:1 | vigil operator add: /dev/zero: larger than 64 KiB; not a key file",
        "policy validate /dev/zero --server coaps://127.0.0.1:1 --key OPERATOR_KEY --server-key SERVER_KEY"
            + " | vigil policy validate: /dev/zero: larger than 1 MiB; not a policy document",
        "policy apply /dev/zero --server coaps://127.0.0.1:1 --key OPERATOR_KEY --server-key SERVER_KEY"
            + " | vigil policy apply: /dev/zero: larger than 1 MiB; not a policy document",
        "device import /dev/zero --server coaps://127.0.0.1:1 --key OPERATOR_KEY --server-key SERVER_KEY"
            + " | vigil device import: /dev/zero: larger than 64 MiB; not a manifest",
        "device list --server coaps://127.0.0.1:1 --key DIR --server-key SERVER_KEY"
            + " | vigil device list: DIR: is a directory, not a key file",
    })
    void an_unreadable_or_oversized_file_is_one_line_and_exit_1(String args, String message) {
        int code = vigil(args.split(" "));

        assertThat(errLines()).containsExactly(message.replace("DIR", dir.toString()));
        assertThat(code).isEqualTo(ExitCodes.FAILED);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void a_policy_document_that_is_not_utf8_is_named_as_such() throws Exception {
        Path policy = dir.resolve("policy.json");
        Files.write(policy, new byte[] {'{', (byte) 0xC3, '}'});

        int code = vigil("policy", "validate", policy.toString(), "--server", "coaps://127.0.0.1:1",
                "--key", "OPERATOR_KEY", "--server-key", "SERVER_KEY");

        assertThat(errLines()).containsExactly("vigil policy validate: " + policy
                + ": not a policy document (not UTF-8 text)");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void a_key_file_whose_public_key_is_another_keys_is_refused() throws Exception {
        Path mixed = dir.resolve("mixed.pem");
        String pair = Files.readString(operatorKey);
        String otherPublic = PemFiles.publicKeyPem(PemFiles.generateP256().getPublic());
        Files.writeString(mixed, pair.substring(0, pair.indexOf("-----BEGIN PUBLIC KEY-----")) + otherPublic);

        int code = vigil("device", "list", "--server", "coaps://127.0.0.1:1", "--key", mixed.toString(),
                "--server-key", "SERVER_KEY");

        assertThat(errLines()).containsExactly("vigil device list: " + mixed
                + ": the PUBLIC KEY block is not the public key of the PRIVATE KEY block");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void a_key_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused() throws Exception {
        String pem = Files.readString(serverKey);
        Path atLimit = dir.resolve("at-limit.pub.pem");
        Files.writeString(atLimit, pem + " ".repeat(64 * 1024 - pem.length()));
        Path overLimit = dir.resolve("over-limit.pub.pem");
        Files.writeString(overLimit, pem + " ".repeat(64 * 1024 - pem.length() + 1));

        assertThat(PemFiles.readPublicKey(atLimit)).isEqualTo(PemFiles.readPublicKey(serverKey));
        int code = vigil("device", "list", "--server", "coaps://127.0.0.1:1", "--key", "OPERATOR_KEY",
                "--server-key", overLimit.toString());
        assertThat(errLines()).containsExactly("vigil device list: " + overLimit
                + ": larger than 64 KiB; not a key file");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty.csv  |  | vigil device import: empty.csv: line 1: the header must be name,profile,key",
        "object.json | {\"name\": \"s1\"} | vigil device import: object.json: a JSON manifest is an array of"
            + " {\"name\", \"profile\", \"key\"} objects",
        "broken.json | [{\"name\": | vigil device import: broken.json: line 1, column 10: Unexpected end-of-input",
    })
    void a_manifest_refused_whole_names_the_file_on_its_one_line(String name, String content, String message)
            throws Exception {
        Path manifest = dir.resolve(name);
        Files.writeString(manifest, content == null ? "" : content);

        int code = vigil("device", "import", manifest.toString(), "--server", "coaps://127.0.0.1:1",
                "--key", "OPERATOR_KEY", "--server-key", "SERVER_KEY");

        assertThat(errLines()).singleElement().asString().startsWith(message);
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void a_manifest_row_quoting_line_breaks_or_terminal_escapes_is_still_one_line_per_bad_row() throws Exception {
        Path manifest = dir.resolve("m.csv");
        Files.writeString(manifest, "name,profile,key\n\"a\nb\",sensor,ni:///sha-256;" + "A".repeat(43)
                + "\n\"\u001b[2Jc\",sensor,ni:///sha-256;" + "B".repeat(43) + "\n");

        int code = vigil("device", "import", manifest.toString(), "--server", "coaps://127.0.0.1:1",
                "--key", "OPERATOR_KEY", "--server-key", "SERVER_KEY");

        assertThat(errLines()).hasSize(2);
        assertThat(errLines()[0]).startsWith("vigil device import: m.csv: line 2: device name must be")
                .endsWith("'a\\nb'");
        assertThat(errLines()[1]).startsWith("m.csv: line 4: device name must be").endsWith("'\\u001b[2Jc'");
        assertThat(code).isEqualTo(ExitCodes.FAILED);
    }
}
