package dev.vigil.policy.trust;

import static dev.vigil.policy.trust.GivenDevice.DAY;
import static dev.vigil.policy.trust.GivenDevice.MINUTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.policy.TrustTier;
import org.junit.jupiter.api.Test;

/** The gateway fences' signals: a relay child off its gateway, a gateway beyond its children's aggregate. */
class GatewaySignalsTest {

    @Test
    void a_relay_child_off_its_gateway_loses_points_and_is_limited_after_three_sessions_still_served() {
        GivenDevice child = GivenDevice.reporting(MINUTE).for_(DAY);
        child.engine.onOffGateway(child.device, child.now);
        assertThat(child.engine.score(child.device, child.now)).isEqualTo(85);
        assertThat(child.engine.tier(child.device)).isEqualTo(TrustTier.TRUSTED);
        child.engine.onOffGateway(child.device, child.now);
        child.engine.onOffGateway(child.device, child.now);
        assertThat(child.engine.score(child.device, child.now)).isEqualTo(55);
        assertThat(child.engine.tier(child.device)).isEqualTo(TrustTier.LIMITED);
        assertThat(child.engine.explain(child.device, child.now).contributions()).extracting(Contribution::signal)
                .containsExactly(TrustSignal.OFF_GATEWAY);
    }

    @Test
    void a_gateway_beyond_its_childrens_aggregate_is_limited_then_quarantined() {
        GivenDevice gateway = GivenDevice.reporting(MINUTE).for_(DAY);
        for (int i = 0; i < 3; i++) {
            gateway.engine.onGatewayExcess(gateway.device, gateway.now);
        }
        assertThat(gateway.engine.tier(gateway.device)).isEqualTo(TrustTier.LIMITED);
        gateway.engine.onGatewayExcess(gateway.device, gateway.now);
        gateway.engine.onGatewayExcess(gateway.device, gateway.now);
        assertThat(gateway.engine.score(gateway.device, gateway.now)).isEqualTo(25);
        assertThat(gateway.engine.tier(gateway.device)).isEqualTo(TrustTier.QUARANTINED);
        assertThat(gateway.changes).last().satisfies(c -> assertThat(c.causes().get(0).signal())
                .isEqualTo(TrustSignal.GATEWAY_EXCESS));
    }

    @Test
    void the_counts_fade_with_time_and_survive_a_snapshot() {
        GivenDevice child = GivenDevice.reporting(MINUTE).for_(DAY);
        child.engine.onOffGateway(child.device, child.now);
        child.engine.onOffGateway(child.device, child.now);
        byte[] snapshot = child.engine.export(child.device);
        TrustEngine restarted = new TrustEngine(TrustSettings.defaults(), TrustListener.NONE, 10);
        DeviceTrust restored = restarted.restore(7, "sensor", GivenDevice.LIMITS, snapshot);
        assertThat(restarted.score(restored, child.now)).isEqualTo(70);
        assertThat(child.engine.score(child.device, child.now + 30 * MINUTE)).isEqualTo(100);
    }
}
