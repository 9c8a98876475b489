package dev.vigil.device;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vigil-device update}: one {@link FirmwareUpdate} — check, verify, download, install, report. */
@Command(name = "update", description = "Fetch, verify and install the firmware a rollout offers; report the result.")
final class UpdateCommand implements Callable<Integer> {

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
            FirmwareUpdate.Result result = new FirmwareUpdate(client, DeviceKeys.readPublicKey(signer), hook,
                    options.state).run(now[0], runningSequence);
            switch (result.outcome()) {
                case NOTHING_OFFERED, INSTALLED, INTEGRITY_FAILURE, INSTALL_FAILED -> out.println(result.message());
                default -> spec.commandLine().getErr().println("vigil-device update: " + result.message());
            }
            return switch (result.outcome()) {
                case NOTHING_OFFERED, INSTALLED -> Main.OK;
                case NO_ANSWER -> Main.NO_ANSWER;
                default -> Main.REFUSED;
            };
        }
    }
}
