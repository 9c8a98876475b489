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

        @Option(names = "--key", required = true, paramLabel = "PUBKEY.pem", description = "The device's public key.")
        Path key;

        @Option(names = "--profile", required = true, paramLabel = "P", description = "Policy profile, e.g. sensor.")
        String profile;

        @Option(names = "--via", paramLabel = "GATEWAY", description = "Register it as a child of this ACTIVE gateway"
                + " device.")
        String via;

        @Option(names = "--mode", paramLabel = "MODE", description = "With --via: relay (its own DTLS session through"
                + " the gateway) or proxy (the gateway speaks for it on /gw/NAME/t); default proxy.")
        String mode;

        private String publicKey;

        Add(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            var args = args().put("name", name).put("publicKey", publicKey).put("profile", profile);
            if (via != null) {
                args.put("via", via);
            }
            if (mode != null) {
                args.put("mode", mode);
            }
            return client.call("device.add", args);
        }

        @Override
        void readFiles() throws IOException {
            if (mode != null && via == null) {
                throw new IllegalArgumentException("--mode needs --via");
            }
            publicKey = AccessCommands.pem(key);
        }

        @Override
        void printHuman(JsonNode device) {
            context.out().printf("added %s (profile %s, %s)%n  key %s%n", device.path("name").asText(),
                    device.path("profile").asText(), device.path("state").asText(), device.path("keyId").asText());
            if (device.has("via")) {
                context.out().printf("  child of %s (%s)%n", device.path("via").asText(), device.path("mode").asText());
            }
        }
    }

    @Command(name = "list", description = "List registered devices.")
    static final class ListDevices extends RemoteCommand {

        @Option(names = "--tier", paramLabel = "TIER", description = "Only devices at this trust tier: TRUSTED, LIMITED"
                + " or QUARANTINED.")
        String tier;

        ListDevices(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            var args = args();
            if (tier != null) {
                args.put("tier", tier);
            }
            return client.call("device.list", args);
        }

        @Override
        void printHuman(JsonNode result) {
            Table table = new Table("NAME", "PROFILE", "STATE", "TRUST", "KEY ID");
            for (JsonNode device : result.path("devices")) {
                table.row(device.path("name").asText(), device.path("profile").asText(),
                        device.path("state").asText(), device.path("trustTier").asText("-"),
                        device.path("keyId").asText("-"));
            }
            table.print(context.out());
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
