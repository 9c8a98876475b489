package dev.vigil.device.agent;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's settings: {@code STATE/agent.properties}, each overridden by the flag of the same name. Unknown
 * names and bad values are refused with one line naming the setting (a typo must not silently leave a default).
 *
 * <pre>
 * server=coaps://vigil.example:5684     # required
 * interval=5m                           # how often sources are read
 * sources=cpu-temp                      # cpu-temp, file:PATH, cmd:PROGRAM, sim (comma-separated)
 * pack=10                               # readings per request at most
 * send-every=1                          # send after every Nth reading (batching: fewer, fuller packs)
 * confirm-every=1                       # 1: every request CON; N: every Nth CON, the others NON
 * queue-max-bytes=1048576               # the offline queue's bound; the oldest readings go first
 * timeout=30s                           # how long to wait for an answer
 * backoff-max=5m                        # the longest wait between attempts while the server does not answer
 * commands=ping,set-interval            # commands this device runs (observes /cmd when set)
 * command.NAME=PROGRAM                  # a command run by a program (its stdout is the result)
 * reboot=false                          # whether the reboot command reboots (else it is a no-op)
 * firmware-hook=/usr/local/sbin/flash   # installs firmware (checked every firmware-check when set)
 * firmware-check=6h
 * running=1.0.0:1                       # the version and sequence number installed at the factory
 * rotate-every=0                        # rotate the key when it is older than this (0: only when asked)
 * seed=42                               # the sim source's seed
 * </pre>
 */
public record AgentConfig(Path state, URI server, Path serverKey, Duration interval, List<String> sources, int pack,
        int sendEvery, int confirmEvery, long queueMaxBytes, Duration timeout, Duration backoffMax, List<String> commands,
        Map<String, String> commandPrograms, boolean reboot, Path firmwareHook, Duration firmwareCheck,
        String running, Duration rotateEvery, long seed) {

    public static final String FILE = "agent.properties";

    private static final Set<String> NAMES = Set.of("server", "server-key", "interval", "sources", "pack", "send-every",
            "confirm-every", "queue-max-bytes", "timeout", "backoff-max", "commands", "reboot", "firmware-hook",
            "firmware-check", "running", "rotate-every", "seed");

    /** The settings of {@code state}'s {@code agent.properties} (if any) with {@code overrides} on top. */
    public static AgentConfig load(Path state, Map<String, String> overrides) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Path file = state.resolve(FILE);
        if (Files.exists(file)) {
            if (Files.size(file) > 64 * 1024) {
                throw new IOException(file + ": larger than 64 KiB; not an agent configuration");
            }
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        }
        Path changed = state.resolve("agent.overrides.properties"); // what a set-interval command changed
        if (Files.exists(changed) && Files.size(changed) <= 4096) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(changed, StandardCharsets.UTF_8)) {
                properties.load(in);
            }
            if (properties.getProperty("interval") != null) {
                values.put("interval", properties.getProperty("interval").trim());
            }
        }
        values.putAll(overrides);
        Set<String> unknown = new TreeSet<>();
        for (String name : values.keySet()) {
            if (!NAMES.contains(name) && !(name.startsWith("command.") && name.length() > 8)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(file + ": unknown setting " + String.join(", ", unknown));
        }
        Map<String, String> programs = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith("command.")) {
                programs.put(name.substring(8), value);
            }
        });
        String server = values.get("server");
        if (server == null || server.isEmpty()) {
            throw new IllegalArgumentException("no server: set server=coaps://host:port in " + file + " or give --server");
        }
        URI uri;
        try {
            uri = new URI(server);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"coaps".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("server must be coaps://host:port, not " + server);
        }
        Duration interval = positive("interval", values.getOrDefault("interval", "5m"));
        List<String> sources = list(values.getOrDefault("sources", "cpu-temp"));
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("sources: name at least one (cpu-temp, file:PATH, cmd:PROGRAM, sim)");
        }
        List<String> commands = list(values.getOrDefault("commands", ""));
        for (String command : commands) {
            if (!Set.of("ping", "set-interval", "reboot").contains(command) && !programs.containsKey(command)) {
                throw new IllegalArgumentException("commands: '" + command + "' is neither built in (ping,"
                        + " set-interval, reboot) nor given a program (command." + command + "=PROGRAM)");
            }
        }
        String hook = values.get("firmware-hook");
        String running = values.getOrDefault("running", "0.0.0:0");
        if (!running.matches("[^:\\s]{1,32}:\\d{1,18}")) {
            throw new IllegalArgumentException("running: '" + running + "' is not VERSION:SEQUENCE, e.g. 1.2.0:12");
        }
        return new AgentConfig(state, uri, Path.of(values.getOrDefault("server-key",
                state.resolve("server.pub.pem").toString())), interval, sources,
                number("pack", values.getOrDefault("pack", "10"), 1, 100),
                number("send-every", values.getOrDefault("send-every", "1"), 1, 100),
                number("confirm-every", values.getOrDefault("confirm-every", "1"), 1, 1000),
                number("queue-max-bytes", values.getOrDefault("queue-max-bytes", "1048576"), 4096, 1L << 30),
                positive("timeout", values.getOrDefault("timeout", "30s")),
                positive("backoff-max", values.getOrDefault("backoff-max", "5m")), commands, programs,
                bool("reboot", values.getOrDefault("reboot", "false")), hook == null ? null : Path.of(hook),
                positive("firmware-check", values.getOrDefault("firmware-check", "6h")), running,
                Durations.parse("rotate-every", values.getOrDefault("rotate-every", "0s")),
                number("seed", values.getOrDefault("seed", "42"), 0, Long.MAX_VALUE));
    }

    /** The same settings with another reporting interval (the {@code set-interval} command). */
    public AgentConfig withInterval(Duration newInterval) {
        return new AgentConfig(state, server, serverKey, newInterval, sources, pack, sendEvery, confirmEvery,
                queueMaxBytes, timeout, backoffMax, commands, commandPrograms, reboot, firmwareHook, firmwareCheck, running,
                rotateEvery, seed);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Duration positive(String name, String text) {
        Duration d = Durations.parse(name, text);
        if (d.isZero()) {
            throw new IllegalArgumentException(name + ": must be above zero");
        }
        return d;
    }

    private static int number(String name, String text, int min, int max) {
        return (int) number(name, text, (long) min, max);
    }

    private static long number(String name, String text, long min, long max) {
        try {
            long n = Long.parseLong(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + ": '" + text + "' is not a whole number from " + min + " to " + max);
    }

    private static boolean bool(String name, String text) {
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not true or false");
        }
        return text.equals("true");
    }
}
