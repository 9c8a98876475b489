package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code vigil device approve|suspend|quarantine|reinstate|decommission NAME}. */
final class LifecycleCommands {

    private LifecycleCommands() {
    }

    /** One lifecycle transition; the live DTLS sessions follow at once. */
    abstract static class Transition extends NamedCommand {

        Transition(CliContext context, String verb) {
            super(context, "device." + verb);
        }

        @Override
        void printHuman(JsonNode result) {
            context.out().printf("%s: %s -> %s%n", result.path("name").asText(), result.path("before").asText(),
                    result.path("state").asText());
        }
    }

    @Command(name = "approve", description = "Let a PENDING device in (it becomes ACTIVE).")
    static final class Approve extends Transition {
        Approve(CliContext context) {
            super(context, "approve");
        }
    }

    @Command(name = "suspend", description = "Cut the device's live session and refuse its handshakes until reinstated.")
    static final class Suspend extends Transition {
        Suspend(CliContext context) {
            super(context, "suspend");
        }
    }

    @Command(name = "quarantine", description = "Restrict the device to remediation (key rotation).")
    static final class Quarantine extends Transition {
        Quarantine(CliContext context) {
            super(context, "quarantine");
        }
    }

    @Command(name = "reinstate", description = "Return a suspended or quarantined device to ACTIVE.")
    static final class Reinstate extends Transition {
        Reinstate(CliContext context) {
            super(context, "reinstate");
        }
    }

    @Command(name = "decommission", description = "Retire the device for good: session cut, name and keys tombstoned.")
    static final class Decommission extends Transition {
        Decommission(CliContext context) {
            super(context, "decommission");
        }
    }
}
