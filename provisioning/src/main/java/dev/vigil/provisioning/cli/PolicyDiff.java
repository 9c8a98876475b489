package dev.vigil.provisioning.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.store.BoundedFiles;
import dev.vigil.provisioning.Printable;
import dev.vigil.provisioning.management.ManagementException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil policy diff FILE}: what applying FILE would change in the policy in force, as JSON paths: {@code +}
 * added, {@code -} removed, {@code ~} changed (old → new). Objects are compared key by key (order does not matter),
 * arrays element by element. Changes nothing; exit 0 whether or not there are differences.
 */
@Command(name = "diff", description = "Show what applying a policy document would change in the policy in force.")
final class PolicyDiff extends RemoteCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "FILE", description = "Policy document (JSON).")
    Path file;

    private JsonNode proposed;

    PolicyDiff(CliContext context) {
        super(context);
    }

    @Override
    void readFiles() throws IOException {
        String text = BoundedFiles.readText(file, BoundedFiles.POLICY_FILE_LIMIT, StandardCharsets.UTF_8,
                "policy document");
        try {
            proposed = JSON.readTree(text);
        } catch (IOException e) {
            throw new IOException(file + " is not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    @Override
    JsonNode run(ManagementClient client) throws ManagementException {
        JsonNode shown = client.call("policy.show", args());
        JsonNode current;
        try {
            current = JSON.readTree(shown.path("document").asText());
        } catch (IOException e) {
            throw new ManagementException(ManagementException.Reason.FAILED, "the policy in force is not JSON");
        }
        ObjectNode result = JSON.createObjectNode().put("version", shown.path("version").asLong());
        diff("", current, proposed, result.putArray("changes"));
        return result;
    }

    /** Appends {op, path, old?, new?} for every difference between {@code a} and {@code b} under {@code path}. */
    static void diff(String path, JsonNode a, JsonNode b, ArrayNode out) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String at = path.isEmpty() ? key : path + "." + key;
                if (!b.has(key)) {
                    out.addObject().put("op", "-").put("path", at).set("old", a.get(key));
                } else if (!a.has(key)) {
                    out.addObject().put("op", "+").put("path", at).set("new", b.get(key));
                } else {
                    diff(at, a.get(key), b.get(key), out);
                }
            }
        } else if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String at = path + "[" + i + "]";
                if (i >= b.size()) {
                    out.addObject().put("op", "-").put("path", at).set("old", a.get(i));
                } else if (i >= a.size()) {
                    out.addObject().put("op", "+").put("path", at).set("new", b.get(i));
                } else {
                    diff(at, a.get(i), b.get(i), out);
                }
            }
        } else if (!a.equals(b)) {
            ObjectNode change = out.addObject().put("op", "~").put("path", path);
            change.set("old", a);
            change.set("new", b);
        }
    }

    @Override
    void printHuman(JsonNode result) {
        JsonNode changes = result.path("changes");
        if (changes.isEmpty()) {
            context.out().printf("no change: %s is the policy in force (version %d)%n", file,
                    result.path("version").asLong());
            return;
        }
        for (Iterator<JsonNode> it = changes.elements(); it.hasNext(); ) {
            JsonNode c = it.next();
            String line = switch (c.path("op").asText()) {
                case "+" -> "+ " + c.path("path").asText() + " = " + c.path("new");
                case "-" -> "- " + c.path("path").asText() + " (was " + c.path("old") + ")";
                default -> "~ " + c.path("path").asText() + ": " + c.path("old") + " -> " + c.path("new");
            };
            context.out().println(Printable.forTerminal(line));
        }
        context.out().printf("%d change%s against version %d%n", changes.size(), changes.size() == 1 ? "" : "s",
                result.path("version").asLong());
    }
}
