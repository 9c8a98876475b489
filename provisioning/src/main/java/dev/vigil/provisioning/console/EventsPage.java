package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** {@code /events}: security events, newest first (refused handshakes, denials, tombstoned keys seen...). */
final class EventsPage implements Page {

    static final List<String> HEADINGS = List.of("#", "At", "Type", "Subject", "Detail", "Count");
    private static final int LIMIT = 200;

    private final Operations operations;
    private final Layout layout;

    EventsPage(Operations operations, Layout layout) {
        this.operations = operations;
        this.layout = layout;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        String body = operations.section("events", Operations.args().put("limit", LIMIT), result -> {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : result.path("events")) {
                rows.add(0, row(e));
            }
            return "<p class=\"empty\">the newest " + LIMIT + ", newest first</p>"
                    + Html.table("events", HEADINGS, rows, "no security events");
        });
        return Reply.ok(layout.page("/events", "Security events", body));
    }

    /** One event as table cells; a subject that is a device name links to its page. */
    static List<String> row(JsonNode e) {
        String subject = e.path("subject").asText();
        boolean device = subject.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        return List.of(String.valueOf(e.path("seq").asLong()), Html.time(e.path("at").asText()),
                Html.esc(e.path("type").asText()), device ? Html.deviceLink(subject)
                        : Actors.html(subject, e.path("subjectLabel").asText(null)),
                Html.esc(e.path("detail").asText()),
                String.valueOf(e.path("count").asLong(1)));
    }
}
