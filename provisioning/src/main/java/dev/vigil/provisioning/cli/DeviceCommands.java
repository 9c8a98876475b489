package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vigil device ...}. */
final class DeviceCommands {

    private DeviceCommands() {
    }

    @Command(name = "add", description = "Register a device by its public key; it can connect at once.")
    static final class Add extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Unique device name, e.g. sensor-0042.")
        String name;

        @Option(names = "--key", paramLabel = "PUBKEY.pem", description = "The device's public key (optional with"
                + " --mode oscore: the server then makes a registry key whose private half nobody keeps).")
        Path key;

        @Option(names = "--profile", required = true, paramLabel = "P", description = "Policy profile, e.g. sensor.")
        String profile;

        @Option(names = "--via", paramLabel = "GATEWAY", description = "Register it as a child of this ACTIVE gateway"
                + " device.")
        String via;

        @Option(names = "--mode", paramLabel = "MODE", description = "With --via: relay (its own DTLS session through"
                + " the gateway), proxy (the gateway speaks for it on /gw/NAME/t) or oscore (OSCORE end to end through"
                + " the gateway, needs --oscore-out); default proxy.")
        String mode;

        @Option(names = "--oscore-out", paramLabel = "FILE", description = "With --mode oscore: where the child's"
                + " side of its new OSCORE context is written (0600, a new file); it is shown nowhere else, ever.")
        Path oscoreOut;

        @Option(names = "--psk-out", paramLabel = "FILE", description = "With --mode proxy: the server makes the"
                + " child a pre-shared key and its identity, written here as libcoap arguments '-u IDENTITY -k KEY'"
                + " (0600, a new file); they are shown nowhere else, ever. Without --key the child has the PSK only.")
        Path pskOut;

        private String publicKey;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        Add(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            var args = args().put("name", name).put("profile", profile);
            if (publicKey != null) {
                args.put("publicKey", publicKey);
            }
            if (via != null) {
                args.put("via", via);
            }
            if (mode != null) {
                args.put("mode", mode);
            }
            if (pskOut != null) {
                args.put("psk", true);
            }
            JsonNode added = client.call("device.add", args);
            if (added.has("psk")) {
                try {
                    PskOut.write(pskOut, added.path("psk").path("identity").asText(), added.path("psk").path("key").asText());
                } catch (IOException e) {
                    throw new IllegalStateException("the child was added but its PSK could not be written to "
                            + pskOut + " (" + e.getMessage() + "): decommission it and add it again");
                }
                ((com.fasterxml.jackson.databind.node.ObjectNode) added).remove("psk");
                ((com.fasterxml.jackson.databind.node.ObjectNode) added).put("pskFile", pskOut.toString());
            }
            if (added.has("oscore")) {
                try {
                    OscoreOut.write(oscoreOut, added.get("oscore"));
                } catch (IOException e) {
                    throw new IllegalStateException("the child was added but its OSCORE context could not be written to "
                            + oscoreOut + " (" + e.getMessage() + "): decommission it and add it again");
                }
                ((com.fasterxml.jackson.databind.node.ObjectNode) added).remove("oscore");
                ((com.fasterxml.jackson.databind.node.ObjectNode) added).put("oscoreContext", oscoreOut.toString());
            }
            return added;
        }

        @Override
        void readFiles() throws IOException {
            if (mode != null && via == null) {
                throw new IllegalArgumentException("--mode needs --via");
            }
            if ("oscore".equals(mode) != (oscoreOut != null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), oscoreOut == null
                        ? "--mode oscore needs --oscore-out FILE" : "--oscore-out is only for --mode oscore");
            }
            if (oscoreOut != null) {
                OscoreOut.check(oscoreOut);
            }
            if (pskOut != null && !"proxy".equals(mode)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--psk-out is only for --mode proxy");
            }
            if (pskOut != null) {
                PskOut.check(pskOut);
            }
            if (key == null && !"oscore".equals(mode) && pskOut == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Missing required option: '--key=PUBKEY.pem' (only an OSCORE or PSK child may go without one)");
            }
            publicKey = key == null ? null : AccessCommands.pem(key);
        }

        @Override
        void printHuman(JsonNode device) {
            context.out().printf("added %s (profile %s, %s)%n  key %s%n", device.path("name").asText(),
                    device.path("profile").asText(), device.path("state").asText(), device.path("keyId").asText());
            if (device.has("via")) {
                context.out().printf("  child of %s (%s)%n", device.path("via").asText(), device.path("mode").asText());
            }
            if (device.has("oscoreContext")) {
                context.out().printf("  OSCORE kid %s; the child's context is in %s (0600): copy it to the child,"
                        + " it is not shown again%n", device.path("kid").asText(), device.path("oscoreContext").asText());
            }
            if (device.has("pskFile")) {
                context.out().printf("  PSK identity %s; its key is in %s (0600, as coap-client arguments -u IDENTITY"
                        + " -k KEY): copy it to the child, it is not shown again%n", device.path("name").asText(),
                        device.path("pskFile").asText());
            }
        }
    }

    @Command(name = "list", description = "List registered devices.")
    static final class ListDevices extends RemoteCommand {

        @Option(names = "--tier", paramLabel = "TIER", description = "Only devices at this trust tier: TRUSTED, LIMITED"
                + " or QUARANTINED.")
        String tier;

        @Option(names = "--state", paramLabel = "STATE", description = "Only devices in this lifecycle state, e.g. ACTIVE.")
        String state;

        @Option(names = "--profile", paramLabel = "PROFILE", description = "Only devices of this profile.")
        String profile;

        @Option(names = "--name", paramLabel = "GLOB", description = "Only names matching this glob, e.g. 'pump-*'.")
        String name;

        @Option(names = "--seen-before", paramLabel = "DURATION", description = "Only devices not heard from for this"
                + " long (or not since the node started), e.g. 1h, 30m, 2d.")
        String seenBefore;

        @Option(names = "--sort", paramLabel = "KEY", description = "name (default) or last-seen (longest silent first).")
        String sort;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        ListDevices(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            var args = args();
            put(args, "tier", tier);
            put(args, "state", state);
            put(args, "profile", profile);
            put(args, "name", name);
            put(args, "sort", sort);
            if (seenBefore != null) {
                args.put("seenBeforeSeconds", seconds(seenBefore));
            }
            return client.call("device.list", args);
        }

        private static void put(com.fasterxml.jackson.databind.node.ObjectNode args, String field, String value) {
            if (value != null) {
                args.put(field, value);
            }
        }

        private int seconds(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([smhd])").matcher(text);
            if (!m.matches()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--seen-before must be a duration such as 30m, 1h or 2d, not '" + text + "'");
            }
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                default -> 86_400;
            };
            return (int) Math.min(Integer.MAX_VALUE, n * unit);
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("NAME", "PROFILE", "STATE", "TRUST", "LAST SEEN", "KEY ID");
            java.time.Instant now = java.time.Instant.now();
            for (JsonNode device : result.path("devices")) {
                table.row(device.path("name").asText(), device.path("profile").asText(),
                        device.path("state").asText(), device.path("trustTier").asText("-"),
                        ago(device.path("lastSeen").asText(null), now) + (device.path("online").asBoolean() ? " *" : ""),
                        device.path("keyId").asText("-"));
            }
            table.print(context.out());
        }

        /** "12s ago", "3h ago", "-" (not seen since the node started); a '*' after it marks a live session. */
        private static String ago(String at, java.time.Instant now) {
            if (at == null) {
                return "-";
            }
            long s = Math.max(0, java.time.Duration.between(java.time.Instant.parse(at), now).getSeconds());
            return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s < 172_800 ? s / 3600 + "h ago"
                    : s / 86_400 + "d ago";
        }
    }

    @Command(name = "trust", description = "Explain a device's trust score (signals, their points, recent changes,"
            + " baselines), or override it: --release clears every signal and verdict (and reinstates a device the"
            + " trust engine suspended); --pin TIER holds a tier until --unpin. Audited.")
    static final class Trust extends RemoteCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
        String name;

        /** At most one override. */
        static final class Overrides {
            @Option(names = "--release", required = true, description = "Back to TRUSTED, baselines relearned from now on.")
            boolean release;

            @Option(names = "--pin", required = true, paramLabel = "TIER",
                    description = "Hold the device at TRUSTED, LIMITED or QUARANTINED.")
            String pin;

            @Option(names = "--unpin", required = true, description = "Let the trust engine set the tier again.")
            boolean unpin;
        }

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
        Overrides override;

        Trust(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            if (override == null) {
                return client.call("device.trust", args().put("name", name));
            }
            if (override.release) {
                return client.call("device.trust.release", args().put("name", name));
            }
            return client.call("device.trust.pin", args().put("name", name).put("tier", override.pin));
        }

        @Override
        void printHuman(JsonNode t) {
            var out = context.out();
            out.printf("%s: score %d, %s%s%s%n", name, t.path("score").asInt(), t.path("tier").asText(),
                    t.has("pinned") ? " (pinned)" : "", t.path("suspendIssued").asBoolean() ? ", suspended by the trust"
                    + " engine" : "");
            Table signals = new Table("SIGNAL", "POINTS");
            for (JsonNode s : t.path("signals")) {
                signals.row(s.path("signal").asText(), "-" + s.path("points").asInt());
            }
            if (t.path("signals").isEmpty()) {
                out.println("no signals");
            } else {
                signals.print(out);
            }
            for (JsonNode r : t.path("recent")) {
                out.printf("  %s -> %s%s%s%n", r.path("at").asText(), r.path("tier").asText(),
                        r.path("suspend").asBoolean() ? " SUSPEND" : "", r.path("operator").asBoolean() ? " by operator"
                        : " (score " + r.path("score").asInt() + (r.has("cause") ? ", mostly " + r.path("cause").asText()
                        : "") + ")");
            }
            var baseline = t.path("baseline").fields();
            while (baseline.hasNext()) {
                var entry = baseline.next();
                out.printf("  %s: %s%n", entry.getKey(), dev.vigil.provisioning.Printable.forTerminal(entry.getValue().asText()));
            }
        }
    }
}
