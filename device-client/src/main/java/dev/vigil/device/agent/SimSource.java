package dev.vigil.device.agent;

import java.util.List;
import java.util.SplittableRandom;

/** A synthetic temperature, {@code sim-temp} in Cel: a seeded random walk around 21 °C, to two decimals. */
final class SimSource implements Source {

    private final SplittableRandom random;
    private double value = 21.0;

    SimSource(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized List<Measurement> read(long nowMillis) {
        value += random.nextDouble(-0.25, 0.25) + (21.0 - value) * 0.05;
        return List.of(new Measurement("sim-temp", Math.round(value * 100) / 100.0, "Cel", nowMillis));
    }
}
