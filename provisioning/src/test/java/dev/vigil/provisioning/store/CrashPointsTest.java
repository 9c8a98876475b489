package dev.vigil.provisioning.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How {@code vigil.crashAt} is read (halting itself is exercised by the server's CrashConsistencyTest). */
class CrashPointsTest {

    @Test
    void unset_or_blank_arms_nothing_and_this_jvm_has_nothing_armed() {
        assertThat(CrashPoints.parse(null)).isNull();
        assertThat(CrashPoints.parse(" ")).isNull();
        assertThat(CrashPoints.ARMED).isFalse();
        CrashPoints.reach("after-commit:telemetry"); // returns: nothing is armed
    }

    @Test
    void a_name_crashes_the_first_time_and_name_hash_n_the_nth_time() {
        assertThat(CrashPoints.parse("after-commit:device.decommission"))
                .isEqualTo(new CrashPoints.Armed("after-commit:device.decommission", 1));
        assertThat(CrashPoints.parse("before-commit:telemetry#3"))
                .isEqualTo(new CrashPoints.Armed("before-commit:telemetry", 3));
    }

    @Test
    void a_count_that_is_not_a_positive_number_is_refused_with_the_property_named() {
        for (String bad : new String[] {"after-commit:telemetry#0", "after-commit:telemetry#x", "#2"}) {
            assertThatThrownBy(() -> CrashPoints.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vigil.crashAt").hasMessageContaining(bad);
        }
    }
}
