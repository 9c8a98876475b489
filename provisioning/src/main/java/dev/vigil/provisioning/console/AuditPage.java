package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

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
        String body = operations.section("audit.verify", Operations.args(), AuditPage::verification)
                + operations.section("audit.tail", Operations.args().put("limit", LIMIT), AuditPage::entries);
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

    private static String entries(JsonNode result) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : result.path("entries")) {
            rows.add(0, List.of(String.valueOf(e.path("seq").asLong()), Html.time(e.path("at").asText()),
                    Actors.html(e.path("actor").asText(), e.path("actorLabel").asText(null)),
                    Html.esc(e.path("action").asText()), target(e.path("action").asText(), e.path("target").asText()),
                    Html.breakable(e.path("before").asText("")), Html.breakable(e.path("after").asText(""))));
        }
        return "<p class=\"empty\">the newest " + LIMIT + ", newest first</p>" + Html.table("audit",
                List.of("#", "At", "Actor", "Action", "Target", "Before", "After"), rows, "no audit records");
    }

    private static String target(String action, String target) {
        return action.startsWith("device.") || action.startsWith("key.") ? Html.deviceLink(target) : Html.esc(target);
    }
}
