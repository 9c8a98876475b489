package dev.vigil.provisioning.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy document shipped under policies/ compiles, so users can start from any of them. */
class ShippedPoliciesTest {

    static Stream<Path> documents() throws Exception {
        return Files.walk(Path.of("..", "policies")).filter(p -> p.toString().endsWith(".json")).sorted();
    }

    @ParameterizedTest
    @MethodSource("documents")
    void compiles(Path document) throws Exception {
        assertThat(PolicyDocuments.compile(Files.readString(document), 1).version()).isEqualTo(1);
    }
}
