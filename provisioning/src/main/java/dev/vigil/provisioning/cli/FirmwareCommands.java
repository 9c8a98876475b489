package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.store.BoundedFiles;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.firmware.CoseSign1;
import dev.vigil.provisioning.firmware.FirmwareCatalogue;
import dev.vigil.provisioning.firmware.FirmwareManifest;
import dev.vigil.provisioning.management.ManagementException;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil firmware key add|list}, {@code publish}, {@code list}, {@code show}, {@code rollout}. The
 * manifest is signed here, where the signing key is; the server gets the signed manifest and the image, and
 * checks both before it stores anything.
 */
final class FirmwareCommands {

    private FirmwareCommands() {
    }

    @Command(name = "add", description = "Register a key that may sign firmware manifests (its own principal).")
    static final class KeyAdd extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "A name for the signer, e.g. release-2027.")
        String name;

        @Option(names = "--signer", required = true, paramLabel = "PUBKEY.pem", description = "The signer's public key.")
        Path key;

        KeyAdd(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            try {
                return client.call("firmware.key.add", args().put("name", name).put("publicKey", AccessCommands.pem(key)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        void printHuman(JsonNode r) {
            context.out().printf("firmware signer %s: key %s%n", r.path("name").asText(), r.path("keyId").asText());
        }
    }

    @Command(name = "list", description = "The keys that may sign firmware manifests.")
    static final class KeyList extends RemoteCommand {
        KeyList(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("firmware.key.list", args());
        }

        @Override
        void printHuman(JsonNode r) {
            r.path("keys").forEach(k -> context.out().println(k.asText()));
        }
    }

    @Command(name = "publish", description = "Sign a manifest for IMAGE with --signing-key and publish both; the server"
            + " checks the signature, the image's size and SHA-256, and refuses a lower sequence (a downgrade) unless"
            + " --force.")
    static final class Publish extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "The firmware image.")
        Path image;

        @Option(names = "--version", required = true, paramLabel = "V", description = "Version, e.g. 1.4.0.")
        String version;

        @Option(names = "--sequence", required = true, paramLabel = "N", description = "Anti-rollback number; only grows.")
        long sequence;

        @Option(names = "--signing-key", required = true, paramLabel = "KEY.pem",
                description = "The firmware signer's key pair (never sent).")
        Path signingKey;

        @Option(names = "--vendor", defaultValue = "vigil", paramLabel = "VENDOR", description = "Vendor id (default ${DEFAULT-VALUE}).")
        String vendor;

        @Option(names = "--class", defaultValue = "default", paramLabel = "CLASS",
                description = "Device class id (default ${DEFAULT-VALUE}).")
        String deviceClass;

        @Option(names = "--force", description = "Publish even if the sequence is not above the newest (a downgrade).")
        boolean force;

        Publish(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            try {
                byte[] bytes = BoundedFiles.readBytes(image, FirmwareCatalogue.MAX_IMAGE, "firmware image");
                byte[] manifest = FirmwareManifest.of(bytes, sequence, vendor, deviceClass, version).encode();
                byte[] signed = CoseSign1.sign(manifest, PemFiles.readKeyPair(signingKey).getPrivate());
                return client.call("firmware.publish", args().put("manifest", Base64.getEncoder().encodeToString(signed))
                        .put("image", Base64.getEncoder().encodeToString(bytes)).put("force", force));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        void printHuman(JsonNode f) {
            context.out().printf("published %s/%s %s (sequence %d, %d bytes, sha256 %s)%n", f.path("vendor").asText(),
                    f.path("class").asText(), f.path("version").asText(), f.path("sequence").asLong(),
                    f.path("size").asLong(), f.path("sha256").asText());
        }
    }

    @Command(name = "list", description = "Published firmware, newest first.")
    static final class ListFirmware extends RemoteCommand {
        ListFirmware(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("firmware.list", args());
        }

        @Override
        void printHuman(JsonNode r) {
            Table table = new Table("VERSION", "VENDOR/CLASS", "SEQUENCE", "SIZE", "SHA-256", "PUBLISHED");
            for (JsonNode f : r.path("firmware")) {
                table.row(f.path("version").asText(), f.path("vendor").asText() + "/" + f.path("class").asText(),
                        f.path("sequence").asText(), f.path("size").asText(), f.path("sha256").asText().substring(0, 16),
                        f.path("publishedAt").asText());
            }
            table.print(context.out());
        }
    }

    @Command(name = "show", description = "One published version.")
    static final class Show extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;

        Show(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("firmware.show", args().put("version", version));
        }

        @Override
        void printHuman(JsonNode f) {
            f.fields().forEachRemaining(e -> context.out().printf("%-12s %s%n", e.getKey(), e.getValue().asText()));
        }
    }

    /** Prints a rollout's status. */
    abstract static class RolloutCommand extends RemoteCommand {
        RolloutCommand(CliContext context) {
            super(context);
        }

        @Override
        void printHuman(JsonNode r) {
            context.out().printf("rollout %d of %s to %s: %s, wave %d of %s: %d offered, %d succeeded, %d failed%s%n",
                    r.path("id").asLong(), r.path("version").asText(), r.path("profile").asText(),
                    r.path("state").asText(), r.path("wave").asInt(), r.path("waves").asText(), r.path("assigned").asInt(),
                    r.path("succeeded").asInt(), r.path("failed").asInt(),
                    r.has("reason") ? " (" + r.path("reason").asText() + ")" : "");
        }
    }

    @Command(name = "rollout", description = "Roll VERSION out to a profile's devices in waves; or: status, pause,"
            + " resume, abort.")
    static final class Rollout extends RolloutCommand {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        // not required at parse time: picocli would then demand them of 'rollout status' too
        @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION", description = "A published version.")
        String version;

        @Option(names = "--profile", paramLabel = "P", description = "The profile whose devices get it (required).")
        String profile;

        @Option(names = "--waves", defaultValue = "1,10,50,100", paramLabel = "PERCENTS",
                description = "Shares of the profile's devices, wave by wave (default ${DEFAULT-VALUE}).")
        String waves;

        @Option(names = "--max-failures", defaultValue = "2%", paramLabel = "SHARE",
                description = "Failed devices a wave may have before the rollout halts (default ${DEFAULT-VALUE}).")
        String maxFailures;

        @Option(names = "--halt-on-anomaly", description = "Also halt when the trust engine lowers more updated devices"
                + " than devices not yet updated.")
        boolean haltOnAnomaly;

        @Option(names = "--force", description = "Roll out even a lower sequence than the profile was given (a downgrade).")
        boolean force;

        Rollout(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            if (version == null || profile == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give VERSION and --profile P (or: status, pause, resume, abort)");
            }
            String share = maxFailures.strip();
            double failures;
            try {
                failures = share.endsWith("%") ? Double.parseDouble(share.substring(0, share.length() - 1)) / 100
                        : Double.parseDouble(share);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--max-failures must be a share like 2% or 0.02, not '" + share + "'");
            }
            return client.call("firmware.rollout", args().put("version", version).put("profile", profile)
                    .put("waves", waves).put("maxFailures", failures).put("haltOnAnomaly", haltOnAnomaly)
                    .put("force", force));
        }
    }

    @Command(name = "status", description = "A rollout's state and its current wave's counts (the newest if no id).")
    static final class RolloutStatus extends RolloutCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID")
        Long id;

        RolloutStatus(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("firmware.rollout.status", id == null ? args() : args().put("id", id));
        }
    }

    /** pause, resume, abort. */
    static class RolloutControl extends RolloutCommand {
        @Parameters(index = "0", paramLabel = "ID")
        long id;

        private final String verb;

        RolloutControl(CliContext context, String verb) {
            super(context);
            this.verb = verb;
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("firmware.rollout." + verb, args().put("id", id));
        }
    }

    @Command(name = "pause", description = "No new wave starts until resumed.")
    static final class Pause extends RolloutControl {
        Pause(CliContext context) {
            super(context, "pause");
        }
    }

    @Command(name = "resume", description = "Go on with a paused or halted rollout.")
    static final class Resume extends RolloutControl {
        Resume(CliContext context) {
            super(context, "resume");
        }
    }

    @Command(name = "abort", description = "Nobody new is offered the image.")
    static final class Abort extends RolloutControl {
        Abort(CliContext context) {
            super(context, "abort");
        }
    }
}
