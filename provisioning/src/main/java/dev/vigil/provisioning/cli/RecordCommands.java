package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.DataDir;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.keys.PemFiles;
import dev.vigil.provisioning.Printable;
import dev.vigil.provisioning.audit.AuditAnchors;
import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.management.AuditReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil device show}, {@code audit tail|verify}, {@code events}, {@code status}. */
final class RecordCommands {

    private RecordCommands() {
    }

    @Command(name = "show", description = "Show one device with every key it holds or held.")
    static final class DeviceShow extends NamedCommand {

        DeviceShow(CliContext context) {
            super(context, "device.show");
        }

        @Override
        void printHuman(JsonNode d) {
            var out = context.out();
            out.printf("%s  profile %s  state %s%s%n", d.path("name").asText(), d.path("profile").asText(),
                    d.path("state").asText(), d.path("rotationRequested").asBoolean() ? "  (rotation requested)" : "");
            out.printf("created %s  updated %s%n", d.path("createdAt").asText(), d.path("updatedAt").asText());
            out.printf("trust %s, score %d (vigil device trust %s)%n", d.path("trustTier").asText(),
                    d.path("trustScore").asInt(), d.path("name").asText());
            out.printf("last seen %s  last reading %s  firmware %s%n", d.path("lastSeen").asText("not since the node"
                    + " started"), d.path("lastReading").asText("none"), d.path("firmware").asText("not reported"));
            JsonNode session = d.path("session");
            out.printf("session %s%n", session.isMissingNode() ? "none live" : "since " + session.path("since").asText()
                    + " from " + session.path("address").asText() + ", " + session.path("handshake").asText()
                    + " handshake" + (session.has("connectionId")
                    ? " (Connection ID " + session.path("connectionId").asText() + ")" : ""));
            Table keys = new Table("KEY ID", "STATE", "CREATED", "ACTIVATED");
            for (JsonNode k : d.path("keys")) {
                keys.row(k.path("keyId").asText(), k.path("state").asText(), k.path("createdAt").asText(),
                        k.path("activatedAt").asText("-"));
            }
            keys.print(out);
        }
    }

    /**
     * A field that may hold an operator's key id, as the server labelled it ({@code alice (ni:///...)}; the bare
     * field from a server that does not label).
     */
    static String labelled(JsonNode node, String field) {
        return node.path(field + "Label").asText(node.path(field).asText());
    }

    /** A listing that can follow new entries ({@code -f}) by polling with the last sequence number seen. */
    abstract static class Followable extends RemoteCommand {

        @Option(names = {"-f", "--follow"}, description = "Keep printing new entries as they come.")
        boolean follow;

        @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20", description = "How many (1-1000).")
        int lines;

        private long last = -1;

        Followable(CliContext context) {
            super(context);
        }

        abstract String operation();

        abstract String listField();

        abstract String line(JsonNode entry);

        /** The operation's arguments besides paging (a device's name, for telemetry). */
        com.fasterxml.jackson.databind.node.ObjectNode request() {
            return args();
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            JsonNode first = client.call(operation(), request().put("limit", lines));
            if (!follow) {
                return first;
            }
            print(first);
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                print(client.call(operation(), request().put("after", Math.max(last, 0)).put("limit", 1000)));
            }
            return JSON.createObjectNode().set(listField(), JSON.createArrayNode());
        }

        private void print(JsonNode page) {
            for (JsonNode entry : page.path(listField())) {
                last = Math.max(last, entry.path("seq").asLong());
                try {
                    context.out().println(json ? JSON.writeValueAsString(entry) : line(entry));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
            }
            context.out().flush();
        }

        @Override
        void printHuman(JsonNode result) {
            for (JsonNode entry : result.path(listField())) {
                context.out().println(line(entry));
            }
        }
    }

    @Command(name = "tail", description = "Show the newest audit records.")
    static final class AuditTail extends Followable {
        AuditTail(CliContext context) {
            super(context);
        }

        @Override
        String operation() {
            return "audit.tail";
        }

        @Override
        String listField() {
            return "entries";
        }

        @Override
        String line(JsonNode e) {
            return Printable.forTerminal(String.format("#%d %s %s %s %s%s%s", e.path("seq").asLong(), e.path("at").asText(),
                    labelled(e, "actor"), e.path("action").asText(), e.path("target").asText(),
                    e.path("before").isNull() ? "" : " [" + e.path("before").asText() + "]",
                    e.path("after").isNull() ? "" : " -> [" + e.path("after").asText() + "]"));
        }
    }

    @Command(name = "events", description = "Show security events: refused handshakes, denials, tombstoned keys seen...")
    static final class Events extends Followable {
        Events(CliContext context) {
            super(context);
        }

        @Override
        String operation() {
            return "events";
        }

        @Override
        String listField() {
            return "events";
        }

        @Override
        String line(JsonNode e) {
            return String.format("#%d %s %s %s: %s", e.path("seq").asLong(), e.path("at").asText(),
                    Printable.forTerminal(e.path("type").asText()), Printable.forTerminal(labelled(e, "subject")),
                    Printable.forTerminal(e.path("detail").asText()));
        }
    }

    @Command(name = "verify", description = "Recompute the audit chain and check its signed anchor; exit 1 and list"
            + " every broken record.")
    static final class AuditVerify extends RemoteCommand {
        AuditVerify(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("audit.verify", args());
        }

        /** With {@code --data DIR} of a stopped server: verifies its database directly (local access). */
        @Override
        JsonNode runLocally() throws IOException {
            java.util.Optional<DataDir> stopped = connection.stoppedServerData(context.environment());
            if (stopped.isEmpty()) {
                return null;
            }
            DataDir dir = stopped.get();
            try (Database database = dev.vigil.provisioning.store.DatabaseSettings.of(dir.properties())
                    .open(dir.root(), context.environment())) {
                AuditAnchors anchors = new AuditAnchors(database, PemFiles.readKeyPair(dir.auditKey()),
                        dir.auditAnchor(), java.time.Clock.systemUTC());
                return AuditReport.of(new AuditLog(database, anchors).verify());
            }
        }

        @Override
        void printHuman(JsonNode result) {
            long checked = result.path("checked").asLong();
            long anchored = result.path("anchored").asLong();
            if (result.path("intact").asBoolean()) {
                context.out().printf("audit log intact: %d records verified, %s%n", checked, anchored == 0
                        ? "none anchored yet" : "1-" + anchored + " under a signed anchor");
                return;
            }
            for (JsonNode b : result.path("breaks")) {
                context.out().printf("record %d: %s%n", b.path("seq").asLong(), Printable.forTerminal(b.path("problem").asText()));
            }
            long broken = result.path("broken").asLong();
            context.err().printf("vigil audit verify: BROKEN in %d place%s, first at record %d: %s%n", broken,
                    broken == 1 ? "" : "s", result.path("firstBroken").asLong(),
                    Printable.forTerminal(result.path("problem").asText()));
        }

        @Override
        int exitCode(JsonNode result) {
            return result.path("intact").asBoolean() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    @Command(name = "status", description = "Server version, uptime, devices by state, live sessions, the nodes.")
    static final class Status extends RemoteCommand {
        Status(CliContext context) {
            super(context);
        }

        @Override
        JsonNode run(ManagementClient client) throws ManagementException {
            return client.call("status", args());
        }

        @Override
        void printHuman(JsonNode s) {
            var out = context.out();
            out.printf("vigil %s, up %ds (since %s)%n", s.path("version").asText(), s.path("uptimeSeconds").asLong(),
                    s.path("startedAt").asText());
            out.printf("live device sessions: %d, security events: %d%n", s.path("liveSessions").asInt(),
                    s.path("securityEvents").asLong());
            Table table = new Table("STATE", "DEVICES");
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("devices").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                table.row(e.getKey(), e.getValue().asText());
            }
            table.print(out);
            if (s.path("nodes").size() > 0) {
                out.printf("nodes (change feed at %d):%n", s.path("changeFeedSeq").asLong());
                Table nodes = new Table("NODE", "ADDRESS", "SESSIONS", "LAST SEQ", "LAST SEEN", "STARTED");
                for (JsonNode n : s.path("nodes")) {
                    nodes.row(n.path("id").asText(), n.path("address").asText(), n.path("sessions").asText(),
                            n.path("lastSeq").asText(), n.path("lastSeen").asText(), n.path("startedAt").asText());
                }
                nodes.print(out);
            }
        }
    }
}
