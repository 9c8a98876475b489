package dev.vigil.provisioning.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.provisioning.Refusal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The whole transition grid: every state × every operator transition. */
class LifecycleTest {

    @ParameterizedTest(name = "{1} from {0} -> {2}")
    @CsvSource({
        "PENDING, APPROVE, ACTIVE",
        "PENDING, SUSPEND, SUSPENDED",
        "PENDING, DECOMMISSION, DECOMMISSIONED",
        "PROVISIONED, SUSPEND, SUSPENDED",
        "PROVISIONED, DECOMMISSION, DECOMMISSIONED",
        "ACTIVE, SUSPEND, SUSPENDED",
        "ACTIVE, QUARANTINE, QUARANTINED",
        "ACTIVE, DECOMMISSION, DECOMMISSIONED",
        "ACTIVE, ROTATE, ACTIVE",
        "SUSPENDED, REINSTATE, ACTIVE",
        "SUSPENDED, QUARANTINE, QUARANTINED",
        "SUSPENDED, DECOMMISSION, DECOMMISSIONED",
        "QUARANTINED, REINSTATE, ACTIVE",
        "QUARANTINED, SUSPEND, SUSPENDED",
        "QUARANTINED, DECOMMISSION, DECOMMISSIONED",
        "QUARANTINED, ROTATE, QUARANTINED",
    })
    void allowed_transitions(DeviceState from, Lifecycle transition, DeviceState to) {
        assertThat(transition.next(from)).isEqualTo(to);
    }

    @ParameterizedTest(name = "{1} from {0} refused")
    @CsvSource(delimiter = '|', value = {
        "DECOMMISSIONED | ROTATE      | cannot rotate a decommissioned device",
        "DECOMMISSIONED | SUSPEND     | cannot suspend a decommissioned device",
        "DECOMMISSIONED | REINSTATE   | cannot reinstate a decommissioned device: only suspended or quarantined devices are reinstated",
        "DECOMMISSIONED | DECOMMISSION| device is already decommissioned",
        "DECOMMISSIONED | APPROVE     | cannot approve a decommissioned device: only pending devices await approval",
        "ACTIVE         | APPROVE     | device is already active",
        "ACTIVE         | REINSTATE   | device is already active",
        "SUSPENDED      | SUSPEND     | device is already suspended",
        "SUSPENDED      | ROTATE      | cannot rotate a suspended device",
        "QUARANTINED    | QUARANTINE  | device is already quarantined",
        "PENDING        | QUARANTINE  | cannot quarantine a pending device",
        "PENDING        | ROTATE      | cannot rotate a pending device",
        "PROVISIONED    | APPROVE     | cannot approve a provisioned device: only pending devices await approval",
        "ACTIVE         | ACTIVATE    | device is already active",
    })
    void illegal_transitions_fail_with_an_exact_message(DeviceState from, Lifecycle transition, String message) {
        assertThatThrownBy(() -> transition.next(from)).isInstanceOfSatisfying(Refusal.class,
                e -> assertThat(e.reason()).isEqualTo(Refusal.Reason.ILLEGAL_TRANSITION)).hasMessage(message);
    }
}
