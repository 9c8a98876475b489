package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code /audit}: the chain verification result ({@code audit.verify}), then the newest audit records. */
final class AuditPage implements Page {

    private static final int LIMIT = 200;

    private final Operations operations;
    private final Layout layout;

    AuditPage(Operations operations, Layout layout) {
        this.operations = operations;
        this.layout = layout;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        Map<String, String> operators = operatorNames();
        String body = operations.section("audit.verify", Operations.args(), AuditPage::verification)
                + operations.section("audit.tail", Operations.args().put("limit", LIMIT), r -> entries(r, operators));
        return Reply.ok(layout.page("/audit", "Audit log", body));
    }

    private static String verification(JsonNode r) {
        long checked = r.path("checked").asLong();
        long anchored = r.path("anchored").asLong();
        if (r.path("intact").asBoolean()) {
            return "<p class=\"ok\" id=\"verification\">Chain intact: " + checked + " records verified, "
                    + (anchored == 0 ? "none anchored yet" : "1-" + anchored + " under a signed anchor") + ".</p>";
        }
        StringBuilder out = new StringBuilder("<div class=\"refused\" id=\"verification\"><b>Chain BROKEN</b> in "
                + r.path("broken").asLong() + " place(s), first at record " + r.path("firstBroken").asLong() + ": "
                + Html.esc(r.path("problem").asText()) + "<ul>");
        for (JsonNode b : r.path("breaks")) {
            out.append("<li>record ").append(b.path("seq").asLong()).append(": ")
                    .append(Html.esc(b.path("problem").asText())).append("</li>");
        }
        return out.append("</ul></div>").toString();
    }

    /** Operator key id → name, when this operator may list operators (an operator role may not: ids then). */
    private Map<String, String> operatorNames() {
        Map<String, String> names = new HashMap<>();
        try {
            for (JsonNode op : operations.call("operator.list", Operations.args()).path("operators")) {
                names.put(op.path("keyId").asText(), op.path("name").asText());
            }
        } catch (dev.vigil.provisioning.management.ManagementException e) {
            // shown as key ids
        }
        return names;
    }

    private static String entries(JsonNode result, Map<String, String> operators) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : result.path("entries")) {
            String actor = e.path("actor").asText();
            String who = operators.containsKey(actor) ? "operator " + Html.esc(operators.get(actor))
                    + " <span class=\"mono\">" + Html.esc(OverviewPage.shortKey(actor)) + "</span>"
                    : "<span class=\"mono\">" + Html.esc(actor) + "</span>";
            rows.add(0, List.of(String.valueOf(e.path("seq").asLong()), Html.esc(e.path("at").asText()), who,
                    Html.esc(e.path("action").asText()), target(e.path("action").asText(), e.path("target").asText()),
                    Html.esc(e.path("before").asText("")), Html.esc(e.path("after").asText(""))));
        }
        return "<p class=\"empty\">the newest " + LIMIT + ", newest first</p>" + Html.table("audit",
                List.of("#", "At", "Actor", "Action", "Target", "Before", "After"), rows, "no audit records");
    }

    private static String target(String action, String target) {
        return action.startsWith("device.") || action.startsWith("key.") ? Html.deviceLink(target) : Html.esc(target);
    }
}
