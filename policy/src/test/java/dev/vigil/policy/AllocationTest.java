package dev.vigil.policy;

import static dev.vigil.policy.GivenPolicy.profile;
import static dev.vigil.policy.GivenPolicy.rule;
import static dev.vigil.policy.GivenPolicy.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** A guard for the JMH figure (PolicyDecideBenchmark -prof gc): an allowed decision allocates nothing. */
class AllocationTest {

    private static final int DECISIONS = 200_000;

    @Test
    void allowed_decisions_allocate_nothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        PolicyEngine engine = GivenPolicy.with("sensor", profile().send(rule("x")).send(rule("t")
                .rate(1_000_000, 1_000_000_000).dailyVolume(1L << 40)).minFirmware("1.0")
                .schedule("Europe/Berlin", window("MON,TUE,WED,THU,FRI,SAT,SUN", "00:00", "24:00"))).engine();
        Subject sensor = engine.device(1, "sensor");
        RequestFacts facts = GivenPolicy.post(GivenPolicy.at("2026-03-02T10:00:00Z"), 100);
        decide(engine, sensor, facts);

        long before = threads.getCurrentThreadAllocatedBytes();
        int allowed = decide(engine, sensor, facts);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allowed).isEqualTo(DECISIONS);
        // Any allocation per decision would be at least 16 bytes x 200,000.
        assertThat(allocated).isLessThan(DECISIONS);
    }

    private static int decide(PolicyEngine engine, Subject subject, RequestFacts facts) {
        int allowed = 0;
        for (int i = 0; i < DECISIONS; i++) {
            if (engine.decide(subject, Action.SEND, "t", facts) == Decision.ALLOW) {
                allowed++;
            }
        }
        return allowed;
    }
}
