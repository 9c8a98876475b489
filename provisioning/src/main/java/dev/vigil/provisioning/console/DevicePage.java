package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /devices/NAME}: one device — facts and keys ({@code device.show}), recent readings as a chart
 * ({@code telemetry.tail}), lifecycle history and audit entries ({@code audit.tail}, the entries naming it), its
 * security events ({@code events}), and the lifecycle actions.
 */
final class DevicePage implements Page {

    /** Readings charted; audit records and events searched for this device (the newest ones). */
    static final int READINGS = 200;
    static final int HISTORY = 1000;

    private final Operations operations;
    private final Layout layout;
    private final DeviceActions.Forms forms;

    DevicePage(Operations operations, Layout layout, DeviceActions.Forms forms) {
        this.operations = operations;
        this.layout = layout;
        this.forms = forms;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        return render(request.segments().get(1), "");
    }

    /** The page for device {@code name}, with {@code notice} (HTML, e.g. an action's outcome) above it. */
    Reply render(String name, String notice) {
        String body = notice + operations.section("device.show", Operations.args().put("name", name), this::facts)
                + operations.section("telemetry.tail", Operations.args().put("device", name).put("limit", READINGS),
                        DevicePage::readings)
                + operations.section("audit.tail", Operations.args().put("limit", HISTORY),
                        a -> history(a, name))
                + operations.section("events", Operations.args().put("limit", HISTORY), e -> events(e, name));
        return Reply.ok(layout.page("/devices", "Device " + name, body));
    }

    private String facts(JsonNode d) {
        Instant now = Instant.now();
        String name = d.path("name").asText();
        JsonNode session = d.path("session");
        String live = session.isMissingNode() ? "none live" : "since " + Html.time(session.path("since").asText())
                + " from " + Html.esc(session.path("address").asText()) + (session.has("connectionId")
                ? " (Connection ID " + Html.esc(session.path("connectionId").asText()) + ")" : "");
        String facts = "<dl class=\"facts\" id=\"facts\">"
                + fact("State", Html.badge(d.path("state").asText())
                        + (d.path("rotationRequested").asBoolean() ? " &nbsp;key rotation requested" : ""))
                + fact("Profile", Html.esc(d.path("profile").asText()))
                + fact("Trust", Html.badge(d.path("trustTier").asText()) + " score " + d.path("trustScore").asInt())
                + fact("Last seen", Html.esc(Ago.since(d.path("lastSeen").asText(null), now)))
                + fact("Last reading", d.has("lastReading") ? Html.time(d.path("lastReading").asText()) : "none")
                + fact("Firmware", Html.esc(d.path("firmware").asText("not reported")))
                + fact("Session", live)
                + fact("Created", Html.time(d.path("createdAt").asText())) + "</dl>";
        List<List<String>> keys = new ArrayList<>();
        for (JsonNode k : d.path("keys")) {
            keys.add(List.of("<span class=\"mono\">" + Html.esc(k.path("keyId").asText()) + "</span>",
                    Html.badge(k.path("state").asText()), Html.time(k.path("createdAt").asText()),
                    Html.time(k.path("activatedAt").asText(null))));
        }
        return facts + "<h2>Actions</h2>" + forms.render(name)
                + "<h2>Keys</h2>" + Html.table("keys", List.of("Key id", "State", "Created", "Activated"), keys,
                "no keys");
    }

    private static String fact(String label, String html) {
        return "<dt>" + label + "</dt><dd>" + html + "</dd>";
    }

    private static String readings(JsonNode result) {
        List<JsonNode> all = new ArrayList<>();
        result.path("readings").forEach(all::add);
        List<List<String>> rows = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && rows.size() < 10; i--) { // newest first
            JsonNode r = all.get(i);
            JsonNode value = r.has("v") ? r.get("v") : r.has("vs") ? r.get("vs") : r.path("vb");
            String measured = r.has("t") ? java.time.Instant.ofEpochMilli(Math.round(r.get("t").asDouble() * 1000))
                    .toString() : null;
            rows.add(List.of(Html.time(r.path("receivedAt").asText()), Html.time(measured),
                    Html.esc(r.path("name").asText()), Html.esc(value.asText()), Html.esc(r.path("unit").asText(""))));
        }
        return "<h2>Recent readings</h2>" + ReadingsChart.svg(all)
                + Html.table("readings", List.of("Received", "Measured", "Name", "Value", "Unit"), rows,
                "no readings stored");
    }

    private static String history(JsonNode audit, String name) {
        List<List<String>> lifecycle = new ArrayList<>();
        List<List<String>> entries = new ArrayList<>();
        for (JsonNode e : audit.path("entries")) {
            if (!name.equals(e.path("target").asText())) {
                continue;
            }
            List<String> row = List.of(Html.time(e.path("at").asText()), Html.esc(e.path("action").asText()),
                    Html.breakable(e.path("before").asText("")) + (e.path("before").isNull() ? "" : " → ")
                            + Html.breakable(e.path("after").asText("")),
                    Actors.html(e.path("actor").asText(), e.path("actorLabel").asText(null)));
            entries.add(0, List.of(String.valueOf(e.path("seq").asLong()), row.get(0), row.get(1), row.get(2),
                    row.get(3)));
            if (e.path("after").asText("").startsWith("state=")) {
                lifecycle.add(0, row);
            }
        }
        return "<h2>Lifecycle history</h2>" + Html.table("lifecycle", List.of("At", "Action", "Change", "By"),
                lifecycle, "no lifecycle change among the newest " + HISTORY + " audit records")
                + "<h2>Audit entries</h2>" + Html.table("device-audit", List.of("#", "At", "Action", "Change", "By"),
                entries, "none among the newest " + HISTORY + " audit records");
    }

    private static String events(JsonNode result, String name) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : result.path("events")) {
            if (name.equals(e.path("subject").asText())) {
                rows.add(0, EventsPage.row(e));
            }
        }
        return "<h2>Security events</h2>" + Html.table("device-events", EventsPage.HEADINGS, rows,
                "none among the newest " + HISTORY + " events");
    }
}
