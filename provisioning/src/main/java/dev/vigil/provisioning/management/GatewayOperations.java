package dev.vigil.provisioning.management;

import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.Child;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Gateways: the children registered behind one ({@code device.add} with {@code via} registers them). */
final class GatewayOperations {

    private final Registry registry;

    GatewayOperations(Registry registry) {
        this.registry = registry;
    }

    void register(Map<String, Operation> operations) {
        operations.put("gateway.children", (caller, args) -> {
            String gateway = Args.text(args, "name");
            ArrayNode children = Args.JSON.arrayNode();
            for (Child child : registry.gateways().children(gateway)) {
                ObjectNode node = children.addObject().put("name", child.name()).put("profile", child.profile())
                        .put("state", child.state().name()).put("mode", child.mode().id());
                if (child.keyId() != null) {
                    node.put("keyId", child.keyId());
                }
            }
            return Args.object().put("gateway", gateway).set("children", children);
        });
    }
}
