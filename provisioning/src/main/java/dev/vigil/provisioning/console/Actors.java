package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.management.ManagementException;
import java.util.HashMap;
import java.util.Map;

/**
 * Who did it, as operators read it: an operator's key id shown as "operator NAME" (the full key id on hover) when
 * this console's operator may list operators ({@code operator.list}); otherwise the key id as the audit log holds it.
 */
final class Actors {

    private final Map<String, String> names;

    private Actors(Map<String, String> names) {
        this.names = names;
    }

    static Actors of(Operations operations) {
        Map<String, String> names = new HashMap<>();
        try {
            for (JsonNode op : operations.call("operator.list", Operations.args()).path("operators")) {
                names.put(op.path("keyId").asText(), op.path("name").asText());
            }
        } catch (ManagementException e) {
            // this role may not list operators: key ids it is
        }
        return new Actors(names);
    }

    String html(String actor) {
        String name = names.get(actor);
        return name == null ? "<span class=\"mono\">" + Html.esc(actor) + "</span>"
                : "<span title=\"" + Html.esc(actor) + "\">operator " + Html.esc(name) + "</span>";
    }
}
