package dev.vigil.device.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where readings come from: read once per interval. A failed read is skipped (and logged), never fatal. */
public interface Source {

    /** The values read now. */
    List<Measurement> read(long nowMillis) throws IOException;

    /**
     * The source a config entry names: {@code cpu-temp} (Linux thermal zone 0, as on a Raspberry Pi),
     * {@code file:PATH} (a number in a file, or a 1-Wire {@code w1_slave} file), {@code cmd:PROGRAM} (prints
     * {@code name=value [unit]} lines), {@code sim} (synthetic, seeded).
     */
    static Source parse(String spec, long seed) {
        if (spec.equals("cpu-temp")) {
            return FileSource.cpuTemperature(Path.of("/sys/class/thermal/thermal_zone0/temp"));
        }
        if (spec.equals("sim")) {
            return new SimSource(seed);
        }
        if (spec.startsWith("file:") && spec.length() > 5) {
            return new FileSource(Path.of(spec.substring(5)));
        }
        if (spec.startsWith("cmd:") && spec.length() > 4) {
            return new CommandSource(Path.of(spec.substring(4)));
        }
        throw new IllegalArgumentException("sources: '" + spec + "' is not cpu-temp, file:PATH, cmd:PROGRAM or sim");
    }
}
