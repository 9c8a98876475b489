package dev.vigil.device;

import dev.vigil.device.agent.Agent;
import dev.vigil.device.agent.AgentConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device run}: the long-running agent ({@link Agent}). Settings come from
 * {@code STATE/agent.properties}; each flag overrides the setting of its name. Stops cleanly on SIGTERM.
 */
@Command(name = "run", description = "Run the device agent: read sources every interval, queue on disk, send, obey commands.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "Device state directory.")
    Path state;

    @Option(names = "--server", paramLabel = "URI", description = "coaps://host:port (setting: server)")
    String server;

    @Option(names = "--server-key", paramLabel = "FILE", description = "Server key to pin (default: the one enrollment kept)")
    String serverKey;

    @Option(names = "--interval", paramLabel = "DURATION", description = "How often sources are read, e.g. 5m (default 5m)")
    String interval;

    @Option(names = "--sources", paramLabel = "LIST", description = "cpu-temp, file:PATH, cmd:PROGRAM, sim (default cpu-temp)")
    String sources;

    @Option(names = "--pack", paramLabel = "N", description = "Readings per request at most (default 10)")
    String pack;

    @Option(names = "--send-every", paramLabel = "N", description = "Send after every Nth reading (default 1)")
    String sendEvery;

    @Option(names = "--confirm-every", paramLabel = "N", description = "1: every request CON; N: every Nth (default 1)")
    String confirmEvery;

    @Option(names = "--commands", paramLabel = "LIST", description = "Commands this device runs, e.g. ping,set-interval")
    String commands;

    @Option(names = "--firmware-hook", paramLabel = "PROGRAM", description = "Installs firmware; enables updates")
    String firmwareHook;

    @Option(names = "--running", paramLabel = "VERSION:SEQUENCE", description = "The factory firmware (default 0.0.0:0)")
    String running;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for an answer (default 30s)")
    String timeout;

    @Option(names = "--ticks", hidden = true, defaultValue = "0", description = "Stop after N intervals (tests).")
    int ticks;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, "server", server);
        put(flags, "server-key", serverKey);
        put(flags, "interval", interval);
        put(flags, "sources", sources);
        put(flags, "pack", pack);
        put(flags, "send-every", sendEvery);
        put(flags, "confirm-every", confirmEvery);
        put(flags, "commands", commands);
        put(flags, "firmware-hook", firmwareHook);
        put(flags, "running", running);
        put(flags, "timeout", timeout);
        AgentConfig config;
        try {
            config = AgentConfig.load(state, flags);
            for (String source : config.sources()) {
                dev.vigil.device.agent.Source.parse(source, config.seed());
            }
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("vigil-device run: " + e.getMessage());
            return Main.USAGE;
        }
        try (Agent agent = new Agent(config)) {
            Thread hook = new Thread(() -> {
                try {
                    agent.close();
                } catch (java.io.IOException e) {
                    // stopping anyway
                }
            }, "vigil-agent-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            agent.run(ticks);
            if (ticks > 0) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        return Main.OK;
    }

    private static void put(Map<String, String> flags, String name, String value) {
        if (value != null) {
            flags.put(name, value);
        }
    }
}
