package dev.vigil.provisioning.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.gateways.ChildLink;
import dev.vigil.provisioning.gateways.ChildMode;
import java.util.Optional;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.commands.Command;
import java.time.Duration;
import java.util.Map;

/**
 * {@code command.send}, {@code command.list}, {@code command.show}: the downlink under least privilege. A
 * command the device's profile does not list is refused at send; the operator's role was checked before
 * (an operation like any other). Whether it is delivered now (trust tier, schedule) is decided at delivery.
 */
final class CommandOperations {

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final Registry registry;

    CommandOperations(Registry registry) {
        this.registry = registry;
    }

    /**
     * A proxied child's commands go through its gateway: the gateway's profile must list the command too (its policy
     * is asked again, with both devices' tiers, at each delivery). Relay children fetch their own.
     */
    private void carrierAllows(String child, String command) {
        Optional<ChildLink> link = registry.gateways().link(child);
        if (link.isEmpty() || link.get().mode() != ChildMode.PROXY) {
            return;
        }
        String gateway = registry.devices().nameOf(link.get().gatewayId()).orElseThrow();
        String profile = registry.devices().show(gateway).device().profile();
        boolean allowed = registry.policy().profile(profile).map(DeviceProfile::commands)
                .map(commands -> commands.contains(command)).orElse(false);
        if (!allowed) {
            throw Refusal.conflict("profile '" + profile + "' of gateway '" + gateway + "' may not carry command '"
                    + command + "' to its proxied child '" + child + "'");
        }
    }

    void register(Map<String, Operation> operations) {
        operations.put("command.send", (caller, args) -> {
            String name = Args.text(args, "name");
            String command = Args.text(args, "command");
            JsonNode commandArgs = args.path("args");
            if (!commandArgs.isMissingNode() && !commandArgs.isObject()) {
                throw new IllegalArgumentException("args must be an object of name: value");
            }
            DeviceRegistry.Details details = registry.devices().show(name);
            if (details.device().state() == DeviceState.DECOMMISSIONED) {
                throw Refusal.conflict("device '" + name + "' is decommissioned");
            }
            String profile = details.device().profile();
            boolean allowed = registry.policy().profile(profile).map(DeviceProfile::commands)
                    .map(commands -> commands.contains(command)).orElse(false);
            if (!allowed) {
                throw Refusal.conflict("profile '" + profile + "' of device '" + name + "' may not receive command '"
                        + command + "'");
            }
            carrierAllows(name, command);
            long ttl = Args.number(args, "ttlSeconds", 3600);
            Command queued = registry.commands().send(details.device().id(), name, command,
                    commandArgs.isMissingNode() ? "{}" : commandArgs.toString(), Duration.ofSeconds(ttl),
                    Actor.operator(caller));
            return json(queued);
        });
        operations.put("command.list", (caller, args) -> {
            String name = Args.text(args, "name");
            long id = registry.devices().idOf(name).orElseThrow(() -> Refusal.notFound("no device named '" + name + "'"));
            ArrayNode list = Args.JSON.arrayNode();
            registry.commands().list(id, Args.integer(args, "limit", 50, 1, 1000)).forEach(c -> list.add(json(c)));
            return Args.object().set("commands", list);
        });
        operations.put("command.show", (caller, args) -> {
            long id = Args.number(args, "id", -1);
            return json(registry.commands().show(id).orElseThrow(() -> Refusal.notFound("no command " + id)));
        });
    }

    static ObjectNode json(Command c) {
        ObjectNode node = Args.object().put("id", c.id()).put("device", c.device()).put("command", c.name())
                .put("state", c.state().name()).put("createdAt", c.createdAt().toString())
                .put("createdBy", c.createdBy()).put("expiresAt", c.expiresAt().toString());
        try {
            node.set("args", MAPPER.readTree(c.args()));
        } catch (java.io.IOException e) {
            node.put("args", c.args());
        }
        if (c.deliveredAt() != null) {
            node.put("deliveredAt", c.deliveredAt().toString());
        }
        if (c.completedAt() != null) {
            node.put("completedAt", c.completedAt().toString());
        }
        if (c.result() != null) {
            node.put("result", c.result());
        }
        return node;
    }
}
