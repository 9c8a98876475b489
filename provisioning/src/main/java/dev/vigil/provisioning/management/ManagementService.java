package dev.vigil.provisioning.management;

import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.operators.Operator;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.SessionControl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.provisioning.management.ManagementException.Reason;
import java.util.HashMap;
import java.util.Map;
import dev.vigil.policy.Action;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.RequestFacts;
import java.time.Clock;

/**
 * The operations operators can ask for, by name, with JSON arguments and JSON results. Transport
 * agnostic: the server exposes it over CoAPS, the CLI calls it through a {@code ManagementClient}.
 * Every operation passes the operator's role first; registry refusals become one-line answers.
 */
public final class ManagementService {

    /**
     * Operations about the caller alone, allowed to every authenticated operator whatever the policy's roles say:
     * knowing who you are is no privilege, and a role cannot be written that would lock an operator out of it.
     */
    static final java.util.Set<String> SELF = java.util.Set.of("operator.whoami", "operator.rotate-key");

    /** Where the operation running on this thread leaves work for after its reply is sent (see {@link #afterReply}). */
    private static final ThreadLocal<java.util.function.Consumer<Runnable>> AFTER_REPLY = new ThreadLocal<>();

    private final Map<String, Operation> operations = new HashMap<>();
    private final PolicyEngine policy;
    private final Clock clock;

    /** Operations are authorised by the operator roles of the policy in force. */
    public ManagementService(Registry registry, SessionControl sessions, LiveActivity activity, Clock clock) {
        this.policy = registry.policy();
        this.clock = clock;
        new DeviceOperations(registry, sessions).register(operations);
        new DeviceViews(registry, activity, clock).register(operations);
        new AccessOperations(registry, sessions).register(operations);
        new RecordOperations(registry, sessions).register(operations);
        new PolicyOperations(registry).register(operations);
        new CommandOperations(registry).register(operations);
        new FirmwareOperations(registry).register(operations);
        new GatewayOperations(registry).register(operations);
        if (!operations.keySet().equals(OperationNames.ALL)) {
            throw new IllegalStateException("OperationNames.ALL differs from the registered operations "
                    + new java.util.TreeSet<>(operations.keySet()));
        }
    }

    /** Adds (or replaces) an operation, for operations whose logic lives outside this module's core. */
    public void register(String name, Operation operation) {
        operations.put(name, operation);
    }

    public boolean knows(String operation) {
        return operations.containsKey(operation);
    }

    /** Runs an operation; work it leaves for after its reply ({@link #afterReply}) runs before this returns. */
    public JsonNode handle(Operator caller, String operation, JsonNode args) throws ManagementException {
        java.util.List<Runnable> later = new java.util.ArrayList<>();
        try {
            return handle(caller, operation, args, later::add);
        } finally {
            later.forEach(Runnable::run);
        }
    }

    /**
     * Runs an operation; work it leaves for after its reply (cutting the caller's own session) goes to
     * {@code afterReply}, for the transport to run once the reply is on its way.
     */
    public JsonNode handle(Operator caller, String operation, JsonNode args,
            java.util.function.Consumer<Runnable> afterReply) throws ManagementException {
        AFTER_REPLY.set(afterReply);
        try {
            return run(caller, operation, args);
        } finally {
            AFTER_REPLY.remove();
        }
    }

    /** Leaves {@code work} for after the reply to the operation running on this thread (at once outside one). */
    static void afterReply(Runnable work) {
        java.util.function.Consumer<Runnable> later = AFTER_REPLY.get();
        if (later == null) {
            work.run();
        } else {
            later.accept(work);
        }
    }

    private JsonNode run(Operator caller, String operation, JsonNode args) throws ManagementException {
        Operation op = operations.get(operation);
        if (op == null) {
            throw new ManagementException(Reason.NOT_FOUND, "unknown operation '" + operation + "'");
        }
        if (!SELF.contains(operation) && !policy.decide(policy.operator(caller.id(), caller.role()), Action.OPERATE,
                operation, RequestFacts.at(clock.millis())).allowed()) {
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
