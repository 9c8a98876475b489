package dev.vigil.device.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.device.Cbor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What this device does with a command the server delivers: only those on its own allow-list run — built in
 * {@code ping}, {@code set-interval} ({@code {"interval": "10m"}}), {@code reboot} (a no-op unless enabled), and
 * programs the owner names ({@code command.NAME=PROGRAM}: run without a shell with the arguments as JSON in its
 * first argument, given 60 s; its stdout, up to 1 KiB, is the result). Everything else is refused here and
 * reported failed: the server only sends what the profile lists, the allow-list is the device's own word on top.
 */
public final class CommandHandlers {

    private final List<String> allowed;
    private final Map<String, String> programs;
    private final boolean reboot;
    private final Consumer<Duration> intervalChange;

    public CommandHandlers(List<String> allowed, Map<String, String> programs, boolean reboot,
            Consumer<Duration> intervalChange) {
        this.allowed = List.copyOf(allowed);
        this.programs = Map.copyOf(programs);
        this.reboot = reboot;
        this.intervalChange = intervalChange;
    }

    /** The report for {@code POST /cmd/{id}}: {@code {"status": "succeeded"|"failed", "result": ...}}. */
    public ObjectNode run(String name, JsonNode args) {
        ObjectNode report = Cbor.map();
        if (!allowed.contains(name)) {
            return report.put("status", "failed").put("result", "refused by this device: '" + name
                    + "' is not on its allow-list");
        }
        try {
            switch (name) {
                case "ping" -> report.put("status", "succeeded").set("result", Cbor.map().put("pong", true));
                case "set-interval" -> {
                    Duration interval = Durations.parse("interval", args.path("interval").asText(""));
                    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                        throw new IllegalArgumentException("interval: at least 1s");
                    }
                    intervalChange.accept(interval);
                    report.put("status", "succeeded").put("result", "interval " + Durations.format(interval));
                }
                case "reboot" -> rebootNow(report);
                default -> runProgram(programs.get(name), args, report);
            }
        } catch (IllegalArgumentException e) {
            report.removeAll();
            report.put("status", "failed").put("result", e.getMessage());
        }
        return report;
    }

    private void rebootNow(ObjectNode report) {
        if (!reboot) {
            report.put("status", "succeeded").put("result", "no-op: reboot is not enabled on this device");
            return;
        }
        report.put("status", "succeeded").put("result", "rebooting");
        try {
            new ProcessBuilder("systemctl", "reboot").inheritIO().start();
        } catch (IOException e) {
            report.put("status", "failed").put("result", "reboot: " + e.getMessage());
        }
    }

    private static void runProgram(String program, JsonNode args, ObjectNode report) {
        if (program == null) {
            report.put("status", "failed").put("result", "no handler on this device");
            return;
        }
        try {
            Process process = new ProcessBuilder(program, args.isMissingNode() ? "{}" : args.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readNBytes(1024), StandardCharsets.UTF_8).strip();
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                report.put("status", "failed").put("result", "no exit within 60 s");
                return;
            }
            report.put("status", process.exitValue() == 0 ? "succeeded" : "failed")
                    .put("result", process.exitValue() == 0 ? output : "exit " + process.exitValue() + ": " + output);
        } catch (IOException e) {
            report.put("status", "failed").put("result", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            report.put("status", "failed").put("result", "interrupted");
        }
    }
}
