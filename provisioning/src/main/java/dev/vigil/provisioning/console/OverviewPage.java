package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code /}: the fleet — devices by state and trust tier, and the device table with the CLI's list filters. */
final class OverviewPage implements Page {

    /** Rows shown at most; the filters narrow a larger fleet. */
    static final int MAX_ROWS = 500;
    private static final String[] STATES = {"PROVISIONED", "PENDING", "ACTIVE", "SUSPENDED", "QUARANTINED",
        "DECOMMISSIONED"};
    private static final String[] TIERS = {"TRUSTED", "LIMITED", "QUARANTINED"};

    private final Operations operations;
    private final Layout layout;

    OverviewPage(Operations operations, Layout layout) {
        this.operations = operations;
        this.layout = layout;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        String body = operations.section("device.list", Operations.args(), OverviewPage::counts)
                + filters(request) + table(request);
        return Reply.ok(layout.page("/", "Fleet overview", body));
    }

    private static String counts(JsonNode all) {
        Map<String, Integer> states = new TreeMap<>();
        Map<String, Integer> tiers = new TreeMap<>();
        for (JsonNode d : all.path("devices")) {
            states.merge(d.path("state").asText(), 1, Integer::sum);
            tiers.merge(d.path("trustTier").asText("-"), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder("<div class=\"cards\" id=\"by-state\">");
        out.append(card("devices", all.path("devices").size(), ""));
        for (String state : STATES) {
            out.append(card(state, states.getOrDefault(state, 0), "?state=" + state));
        }
        out.append("</div><div class=\"cards\" id=\"by-tier\">");
        for (String tier : TIERS) {
            out.append(card("tier " + tier, tiers.getOrDefault(tier, 0), "?tier=" + tier));
        }
        return out.append("</div>").toString();
    }

    private static String card(String label, int count, String link) {
        String n = link.isEmpty() ? String.valueOf(count) : "<a href=\"/" + link + "\">" + count + "</a>";
        return "<div class=\"card\" data-label=\"" + Html.esc(label) + "\"><div class=\"n\">" + n
                + "</div><div class=\"l\">" + Html.esc(label) + "</div></div>";
    }

    private static String filters(ConsoleRequest r) {
        return "<form class=\"filters\" method=\"get\" action=\"/\">"
                + select("state", STATES, r.param("state"), "any") + select("tier", TIERS, r.param("tier"), "any")
                + input("profile", "profile", r.param("profile"), "sensor")
                + input("name", "name (glob)", r.param("name"), "pump-*")
                + input("seen", "silent for", r.param("seen"), "1h")
                + select("sort", new String[] {"name", "last-seen"}, r.param("sort"), null)
                + "<button type=\"submit\">Filter</button> <a href=\"/\">clear</a></form>";
    }

    /** A drop-down of {@code values}, {@code chosen} selected; first {@code anyLabel} ("no filter"), unless null. */
    private static String select(String name, String[] values, String chosen, String anyLabel) {
        StringBuilder out = new StringBuilder("<label>" + name + "<select name=\"" + name + "\">");
        if (anyLabel != null) {
            out.append("<option value=\"\">").append(anyLabel).append("</option>");
        }
        for (String v : values) {
            out.append("<option").append(v.equalsIgnoreCase(chosen == null ? "" : chosen) ? " selected" : "")
                    .append('>').append(v).append("</option>");
        }
        return out.append("</select></label>").toString();
    }

    private static String input(String name, String label, String value, String placeholder) {
        return "<label>" + label + "<input name=\"" + name + "\" value=\"" + Html.esc(value) + "\" placeholder=\""
                + placeholder + "\" size=\"10\"></label>";
    }

    private String table(ConsoleRequest r) {
        ObjectNode args = Operations.args();
        for (String field : new String[] {"state", "tier", "profile", "name", "sort"}) {
            if (r.param(field) != null) {
                args.put(field, r.param(field));
            }
        }
        if (r.param("seen") != null) {
            try {
                args.put("seenBeforeSeconds", Math.min(Integer.MAX_VALUE, Ago.seconds(r.param("seen"))));
            } catch (IllegalArgumentException e) {
                return Html.refused("silent for", e.getMessage());
            }
        }
        return operations.section("device.list", args, OverviewPage::rows);
    }

    private static String rows(JsonNode result) {
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<JsonNode> it = result.path("devices").elements(); it.hasNext() && rows.size() < MAX_ROWS;) {
            JsonNode d = it.next();
            rows.add(List.of(Html.deviceLink(d.path("name").asText()), Html.esc(d.path("profile").asText()),
                    Html.badge(d.path("state").asText()), Html.badge(d.path("trustTier").asText("-")),
                    Html.esc(Ago.since(d.path("lastSeen").asText(null), now))
                            + (d.path("online").asBoolean() ? " <span title=\"live session\">●</span>" : ""),
                    "<span class=\"mono\">" + Html.esc(shortKey(d.path("keyId").asText("-"))) + "</span>"));
        }
        int total = result.path("devices").size();
        String note = total > MAX_ROWS ? "<p class=\"notice\">showing " + MAX_ROWS + " of " + total
                + " devices: narrow the list with the filters</p>" : "";
        return "<h2>Devices (" + total + ")</h2>" + note + Html.table("devices", List.of("Name", "Profile", "State",
                "Trust", "Last seen", "Key"), rows, "no device matches");
    }

    /** The key id's hash, shortened for a table (the device page shows it whole). */
    static String shortKey(String keyId) {
        String hash = keyId.startsWith("ni:///sha-256;") ? keyId.substring("ni:///sha-256;".length()) : keyId;
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
