package dev.vigil.device;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;

/**
 * One firmware update, as a device does it: asks {@code GET /fw} for the manifest a rollout offers it, verifies
 * its COSE signature with the pinned signer's key and refuses a sequence not above the running one
 * (anti-rollback), downloads the image block-wise into the state directory (resuming an
 * interrupted download: {@link ImageDownload}), checks its size and SHA-256, hands it to the install hook (a
 * program given the image's path; exit 0 = installed), and reports to {@code POST /fw/status}: the LwM2M result
 * (1 success, 5 integrity check failure, 8 update failed) and the version and digest it runs.
 */
public final class FirmwareUpdate {

    /** LwM2M object 5 "Update Result" values used here. */
    static final int SUCCESS = 1;
    static final int INTEGRITY_FAILURE = 5;
    static final int UPDATE_FAILED = 8;

    /** How it ended. */
    public enum Outcome {
        NOTHING_OFFERED, INSTALLED, REFUSED, INTEGRITY_FAILURE, INSTALL_FAILED, NO_ANSWER
    }

    /** What happened: the outcome, the offered version and sequence (if any), and a line for people. */
    public record Result(Outcome outcome, String version, long sequence, String digest, String message) {
    }

    private final DeviceClient client;
    private final PublicKey signer;
    private final Path hook;
    private final Path workDir;

    public FirmwareUpdate(DeviceClient client, PublicKey signer, Path hook, Path workDir) {
        this.client = client;
        this.signer = signer;
        this.hook = hook;
        this.workDir = workDir;
    }

    /** Tells the server what this device runs now (at start; LwM2M result 0, initial). */
    public DeviceClient.Outcome reportRunning(String version, String digest) {
        var status = Cbor.map().put("state", "idle").put("result", 0).put("version", version);
        if (digest != null) {
            status.put("digest", digest);
        }
        return client.send("/fw/status", Cbor.post(status));
    }

    /** Checks for, verifies, installs and reports the firmware offered to a device running {@code running}. */
    public Result run(String runningVersion, long runningSequence) throws IOException, InterruptedException {
        DeviceClient.Outcome offered = client.send("/fw", Request.newGet());
        if (offered.code() == ResponseCode.NOT_FOUND) {
            return new Result(Outcome.NOTHING_OFFERED, null, 0, null, "no firmware offered");
        }
        if (offered.code() != ResponseCode.CONTENT) {
            return new Result(DeviceClient.answered(offered) ? Outcome.REFUSED : Outcome.NO_ANSWER, null, 0, null,
                    offered.toString());
        }
        SignedManifest manifest;
        try {
            manifest = SignedManifest.verify(offered.payload(), signer);
        } catch (GeneralSecurityException e) {
            return new Result(Outcome.REFUSED, null, 0, null, "refused: " + e.getMessage());
        }
        if (manifest.sequence() == runningSequence) {
            return new Result(Outcome.NOTHING_OFFERED, manifest.version(), manifest.sequence(), null,
                    "already running " + manifest.version() + " (sequence " + runningSequence + ")");
        }
        if (manifest.sequence() < runningSequence) {
            return new Result(Outcome.REFUSED, manifest.version(), manifest.sequence(), null, "refused: sequence "
                    + manifest.sequence() + " is not above the running " + runningSequence + " (a downgrade)");
        }
        ImageDownload download = new ImageDownload(client, workDir);
        if (!download.fetch(manifest.digestHex())) {
            return new Result(Outcome.NO_ANSWER, manifest.version(), manifest.sequence(), null,
                    "image: the download stopped; the next attempt goes on from where it stopped");
        }
        int result;
        try {
            if (!download.matches(manifest.size(), manifest.digestHex())) {
                result = INTEGRITY_FAILURE;
            } else {
                Process install = new ProcessBuilder(hook.toString(), download.file().toString()).inheritIO().start();
                result = install.waitFor(10, TimeUnit.MINUTES) && install.exitValue() == 0 ? SUCCESS : UPDATE_FAILED;
            }
        } finally {
            download.discard();
        }
        boolean installed = result == SUCCESS;
        var status = Cbor.map().put("state", "idle").put("result", result)
                .put("version", installed ? manifest.version() : runningVersion);
        if (installed) {
            status.put("digest", manifest.digestHex()); // what it runs now; unknown (left out) for the old image
        }
        DeviceClient.Outcome reported = client.send("/fw/status", Cbor.post(status));
        String line = String.format("firmware %s (sequence %d, %d bytes): %s; reported %s", manifest.version(),
                manifest.sequence(), manifest.size(), installed ? "installed" : result == INTEGRITY_FAILURE
                        ? "the image does not match its manifest" : "the install hook failed", reported.code());
        return new Result(installed ? Outcome.INSTALLED : result == INTEGRITY_FAILURE ? Outcome.INTEGRITY_FAILURE
                : Outcome.INSTALL_FAILED, manifest.version(), manifest.sequence(), installed ? manifest.digestHex() : null,
                line);
    }
}
