package dev.vigil.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.ManagementException.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The operations operators can ask for, by name, with JSON arguments and JSON results. Transport
 * agnostic: the server exposes it over CoAPS, the CLI calls it through a {@code ManagementClient}.
 * Every operation passes the operator's role first; registry refusals become one-line answers.
 */
public final class ManagementService {

    private final Map<String, Operation> operations = new HashMap<>();
    private final BiPredicate<Operator, String> permitted;

    /**
     * @param permitted whether an operator's role allows an operation (the policy's role rules)
     */
    public ManagementService(Registry registry, SessionControl sessions, BiPredicate<Operator, String> permitted) {
        this.permitted = permitted;
        new DeviceOperations(registry, sessions).register(operations);
        new AccessOperations(registry, sessions).register(operations);
        new RecordOperations(registry, sessions).register(operations);
    }

    /** Adds (or replaces) an operation, for operations whose logic lives outside this module's core. */
    public void register(String name, Operation operation) {
        operations.put(name, operation);
    }

    public boolean knows(String operation) {
        return operations.containsKey(operation);
    }

    public JsonNode handle(Operator caller, String operation, JsonNode args) throws ManagementException {
        Operation op = operations.get(operation);
        if (op == null) {
            throw new ManagementException(Reason.NOT_FOUND, "unknown operation '" + operation + "'");
        }
        if (!permitted.test(caller, operation)) {
            throw new ManagementException(Reason.FORBIDDEN,
                    "role '" + caller.role() + "' may not " + operation);
        }
        try {
            return op.run(caller, args == null ? Args.object() : args);
        } catch (IllegalArgumentException e) {
            throw new ManagementException(Reason.BAD_REQUEST, e.getMessage());
        } catch (Refusal e) {
            throw new ManagementException(switch (e.reason()) {
                case NOT_FOUND -> Reason.NOT_FOUND;
                case CONFLICT, ILLEGAL_TRANSITION -> Reason.CONFLICT;
                case INVALID -> Reason.BAD_REQUEST;
                case DENIED -> Reason.FORBIDDEN;
            }, e.getMessage());
        }
    }
}
