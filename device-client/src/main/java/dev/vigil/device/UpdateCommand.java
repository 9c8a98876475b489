package dev.vigil.device;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device update}: asks {@code GET /fw} for the manifest a rollout offers this device, verifies
 * its COSE signature with the pinned firmware signer's key and refuses a sequence not above the running
 * one (anti-rollback), downloads the image block-wise, checks its size and SHA-256, hands it to the install
 * hook (a program given the image's path; exit 0 = installed), and reports to {@code POST /fw/status}: the
 * LwM2M result (1 success, 5 integrity check failure, 8 update failed) and the version and digest it runs.
 */
@Command(name = "update", description = "Fetch, verify and install the firmware a rollout offers; report the result.")
final class UpdateCommand implements Callable<Integer> {

    /** LwM2M object 5 "Update Result" values used here. */
    static final int SUCCESS = 1;
    static final int INTEGRITY_FAILURE = 5;
    static final int UPDATE_FAILED = 8;

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Option(names = "--firmware-key", paramLabel = "FILE",
            description = "The firmware signer's public key this device trusts (default: the one pinned at enrollment).")
    Path firmwareKey;

    @Option(names = "--install-hook", required = true, paramLabel = "PROGRAM",
            description = "Installs the image: run with its path; exit 0 means installed.")
    Path hook;

    @Option(names = "--running", paramLabel = "VERSION:SEQUENCE", defaultValue = "0.0.0:0",
            description = "The version and sequence number this device runs now (default ${DEFAULT-VALUE}).")
    String running;

    @Override
    public Integer call() throws Exception {
        options.server();
        PrintWriter out = spec.commandLine().getOut();
        Path signer = firmwareKey != null ? firmwareKey : options.state.resolve(Enrollment.FIRMWARE_KEY_FILE);
        if (!Files.exists(signer)) {
            spec.commandLine().getErr().println("vigil-device update: no firmware signer key: none was pinned at"
                    + " enrollment (the server had none registered) and --firmware-key is not given");
            return Main.USAGE;
        }
        String[] now = running.split(":", 2);
        long runningSequence = now.length == 2 ? Long.parseLong(now[1]) : 0;
        try (DeviceClient client = options.client(DeviceKeys.load(options.state))) {
            DeviceClient.Outcome offered = client.send("/fw", Request.newGet());
            if (offered.code() == ResponseCode.NOT_FOUND) {
                out.println("no firmware offered");
                return Main.OK;
            }
            if (offered.code() != ResponseCode.CONTENT) {
                spec.commandLine().getErr().println("vigil-device update: " + offered);
                return Main.exitCode(offered);
            }
            SignedManifest manifest;
            try {
                manifest = SignedManifest.verify(offered.payload(), DeviceKeys.readPublicKey(signer));
            } catch (GeneralSecurityException e) {
                spec.commandLine().getErr().println("vigil-device update: refused: " + e.getMessage());
                return Main.REFUSED;
            }
            if (manifest.sequence() <= runningSequence) {
                spec.commandLine().getErr().println("vigil-device update: refused: sequence " + manifest.sequence()
                        + " is not above the running " + runningSequence + " (a downgrade)");
                return Main.REFUSED;
            }
            DeviceClient.Outcome image = client.send("/fw/image", Request.newGet());
            if (image.code() != ResponseCode.CONTENT) {
                spec.commandLine().getErr().println("vigil-device update: " + image);
                return Main.exitCode(image);
            }
            int result;
            if (!manifest.describes(image.payload())) {
                result = INTEGRITY_FAILURE;
            } else {
                Path file = Files.createTempFile(options.state, "firmware-", ".bin");
                try {
                    Files.write(file, image.payload());
                    Process install = new ProcessBuilder(hook.toString(), file.toString()).inheritIO().start();
                    result = install.waitFor(10, TimeUnit.MINUTES) && install.exitValue() == 0 ? SUCCESS : UPDATE_FAILED;
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            boolean installed = result == SUCCESS;
            var status = Cbor.map().put("state", "idle").put("result", result)
                    .put("version", installed ? manifest.version() : now[0]);
            if (installed) {
                status.put("digest", manifest.digestHex()); // what it runs now; unknown (left out) for the old image
            }
            Request report = Cbor.post(status);
            DeviceClient.Outcome reported = client.send("/fw/status", report);
            out.printf("firmware %s (sequence %d, %d bytes): %s; reported %s%n", manifest.version(),
                    manifest.sequence(), manifest.size(), installed ? "installed" : result == INTEGRITY_FAILURE
                            ? "the image does not match its manifest" : "the install hook failed", reported.code());
            return installed ? Main.OK : Main.REFUSED;
        }
    }
}
