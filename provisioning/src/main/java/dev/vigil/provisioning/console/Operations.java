package dev.vigil.provisioning.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.provisioning.cli.ManagementClient;
import dev.vigil.provisioning.management.ManagementException;
import java.util.function.Function;

/**
 * The management operations the console runs, over the operator's CoAPS session (the same operations, with the
 * same arguments, as the {@code vigil} CLI). A refusal is rendered as a plain message where the data would be.
 */
final class Operations {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManagementClient client;

    Operations(ManagementClient client) {
        this.client = client;
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    JsonNode call(String operation, ObjectNode args) throws ManagementException {
        return client.call(operation, args);
    }

    /** The operation's result rendered by {@code render}, or its refusal as a plain message. */
    String section(String operation, ObjectNode args, Function<JsonNode, String> render) {
        try {
            return render.apply(call(operation, args));
        } catch (ManagementException e) {
            return Html.refused(operation, e.getMessage());
        }
    }
}
