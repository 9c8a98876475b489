package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.management.ManagementException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /tokens}: usable enrollment tokens ({@code token.list}, never the token itself) and a form to create one
 * ({@code POST /tokens}, as {@code vigil token create}); the new token is shown once, on the answer to that POST.
 */
final class TokensPage implements Page {

    private final Operations operations;
    private final Layout layout;
    private final String csrf;

    TokensPage(Operations operations, Layout layout, String csrf) {
        this.operations = operations;
        this.layout = layout;
        this.csrf = csrf;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        String notice = request.isPost() ? create(request) : "";
        String body = notice + form() + operations.section("token.list", Operations.args(), TokensPage::list);
        return Reply.ok(layout.page("/tokens", "Enrollment tokens", body));
    }

    private String create(ConsoleRequest r) {
        ObjectNode args = Operations.args().put("profile", r.field("profile") == null ? "" : r.field("profile"));
        if (r.field("name") != null) {
            args.put("name", r.field("name"));
        }
        try {
            args.put("ttlSeconds", Ago.seconds(r.field("ttl") == null ? "1h" : r.field("ttl")));
        } catch (IllegalArgumentException e) {
            return Html.refused("token create", "valid for must be " + e.getMessage());
        }
        String uses = r.field("uses") == null ? "1" : r.field("uses");
        if (!uses.matches("\\d{1,6}")) {
            return Html.refused("token create", "uses must be a number, not '" + uses + "'");
        }
        args.put("uses", Integer.parseInt(uses));
        try {
            JsonNode t = operations.call("token.create", args);
            return "<div class=\"notice\" id=\"new-token\"><p>New token for profile "
                    + Html.esc(t.path("profile").asText())
                    + (t.has("name") ? ", device " + Html.esc(t.path("name").asText()) : "") + ", "
                    + t.path("uses").asInt() + " use(s), expires " + Html.esc(t.path("expiresAt").asText())
                    + ". It is shown this once (the server keeps only its hash):</p><p class=\"secret\" id=\"token\">"
                    + Html.esc(t.path("token").asText()) + "</p></div>";
        } catch (ManagementException e) {
            return Html.refused("token create", e.getMessage());
        }
    }

    private String form() {
        return "<form class=\"filters\" method=\"post\" action=\"/tokens\" id=\"create-token\"><input type=\"hidden\""
                + " name=\"" + ConsoleAccess.CSRF_FIELD + "\" value=\"" + csrf + "\">"
                + "<label>profile<input name=\"profile\" required placeholder=\"sensor\" size=\"10\"></label>"
                + "<label>device name (optional)<input name=\"name\" size=\"14\"></label>"
                + "<label>valid for<input name=\"ttl\" value=\"1h\" size=\"5\"></label>"
                + "<label>uses<input name=\"uses\" value=\"1\" size=\"3\"></label>"
                + "<button class=\"primary\" type=\"submit\">Create token</button></form>";
    }

    private static String list(JsonNode result) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode t : result.path("tokens")) {
            rows.add(List.of("<span class=\"mono\">" + Html.esc(t.path("id").asText()) + "</span>",
                    Html.esc(t.path("profile").asText()), Html.esc(t.path("name").asText("-")),
                    Html.esc(t.path("usesLeft").asText()), Html.time(t.path("expiresAt").asText()),
                    "<span class=\"mono\">" + Html.esc(OverviewPage.shortKey(t.path("createdBy").asText()))
                            + "</span>"));
        }
        return "<h2>Usable tokens</h2>" + Html.table("tokens", List.of("Id", "Profile", "Name", "Uses left",
                "Expires", "Created by"), rows, "no usable tokens");
    }
}
