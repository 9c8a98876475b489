package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.management.ManagementException;
import java.util.Map;

/**
 * {@code POST /devices/NAME/ACTION}: suspend, quarantine, reinstate (the lifecycle operations, as {@code vigil
 * device suspend NAME}) and rotate ({@code vigil key rotate NAME}: the device is asked to rotate its key on its
 * next exchange). Answers with the device page and the outcome above it.
 */
final class DeviceActions implements Page {

    /** Action → management operation, in the order the buttons appear. */
    static final Map<String, String> OPERATIONS = operations();

    private final Operations operations;
    private final DevicePage page;

    DeviceActions(Operations operations, DevicePage page) {
        this.operations = operations;
        this.page = page;
    }

    @Override
    public Reply handle(ConsoleRequest request) {
        String name = request.segments().get(1);
        String action = request.segments().get(2);
        String operation = OPERATIONS.get(action);
        if (operation == null) {
            return new Reply(404, page.render(name, Html.refused(action, "no such action")).html());
        }
        try {
            JsonNode result = operations.call(operation, Operations.args().put("name", name));
            return page.render(name, "<p class=\"ok\" id=\"outcome\">" + Html.esc(outcome(action, result)) + "</p>");
        } catch (ManagementException e) {
            return page.render(name, Html.refused(action, e.getMessage()).replace("<p ", "<p id=\"outcome\" "));
        }
    }

    private static Map<String, String> operations() {
        Map<String, String> operations = new java.util.LinkedHashMap<>();
        operations.put("suspend", "device.suspend");
        operations.put("quarantine", "device.quarantine");
        operations.put("reinstate", "device.reinstate");
        operations.put("rotate", "key.rotate");
        return java.util.Collections.unmodifiableMap(operations);
    }

    private static String outcome(String action, JsonNode r) {
        if (action.equals("rotate")) {
            return "key rotation requested for " + r.path("name").asText()
                    + ": the device rotates on its next exchange";
        }
        return r.path("changed").asBoolean(true) ? r.path("name").asText() + ": " + r.path("before").asText() + " → "
                + r.path("state").asText() : r.path("name").asText() + ": already " + r.path("state").asText();
    }

    /** The action buttons, each a POST form with the CSRF token. */
    static final class Forms {

        private final String csrf;

        Forms(String csrf) {
            this.csrf = csrf;
        }

        String render(String name) {
            StringBuilder out = new StringBuilder("<div id=\"actions\">");
            for (String action : OPERATIONS.keySet()) {
                boolean danger = action.equals("suspend") || action.equals("quarantine");
                out.append("<form class=\"inline\" method=\"post\" action=\"/devices/")
                        .append(Html.esc(Paths.segment(name))).append('/').append(action)
                        .append("\"><input type=\"hidden\" name=\"").append(ConsoleAccess.CSRF_FIELD)
                        .append("\" value=\"").append(csrf).append("\"><button")
                        .append(danger ? " class=\"danger\"" : "").append(" type=\"submit\" name=\"action\" value=\"")
                        .append(action).append("\">").append(label(action)).append("</button></form>");
            }
            return out.append("</div>").toString();
        }

        private static String label(String action) {
            return action.equals("rotate") ? "Request key rotation"
                    : Character.toUpperCase(action.charAt(0)) + action.substring(1);
        }
    }
}
