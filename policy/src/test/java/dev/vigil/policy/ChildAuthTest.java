package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A profile's {@code childAuth}: the weakest way its devices may sit behind a gateway. */
class ChildAuthTest {

    private static DeviceProfile demanding(String childAuth) {
        return new DeviceProfile(List.of(), List.of(), List.of(), null, null, false, null, childAuth);
    }

    @Test
    void a_stronger_way_satisfies_a_weaker_minimum_never_the_reverse() {
        assertThat(ChildAuth.RELAY.satisfies(ChildAuth.RELAY)).isTrue();
        assertThat(ChildAuth.RELAY.satisfies(ChildAuth.ASSERTED)).isTrue();
        assertThat(ChildAuth.OSCORE.satisfies(ChildAuth.RELAY)).isFalse();
        assertThat(ChildAuth.ASSERTED.satisfies(ChildAuth.OSCORE)).isFalse();
        assertThat(ChildAuth.ASSERTED.satisfies(ChildAuth.ASSERTED)).isTrue();
    }

    @Test
    void absent_means_any_way_and_the_document_names_map_to_minimums() {
        assertThat(new DeviceProfile(List.of(), List.of(), List.of(), null, null, false, null).minimumChildAuth())
                .isEqualTo(ChildAuth.ASSERTED);
        assertThat(demanding("relay").minimumChildAuth()).isEqualTo(ChildAuth.RELAY);
        assertThat(demanding("oscore").minimumChildAuth()).isEqualTo(ChildAuth.OSCORE);
    }

    @Test
    void an_unknown_child_auth_is_an_error_at_its_path() {
        PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyCompiler.compile(new PolicySet(1,
                Map.of("sensor", demanding("trust-me")), Map.of("admin", GivenPolicy.ADMIN))));
        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(PolicyError::path).containsExactly("/profiles/sensor/childAuth");
        assertThat(e.errors().get(0).message()).isEqualTo("unknown child authentication 'trust-me'; it is relay, oscore"
                + " or asserted");
    }
}
