package dev.vigil.server;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code vigil-device} CLI in-process, capturing its output (the device's counterpart of {@link CliRun}). */
record DeviceCliRun(int exitCode, String out, String err) {

    static DeviceCliRun vigilDevice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = dev.vigil.device.Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new DeviceCliRun(code, out.toString(), err.toString());
    }
}
