package dev.vigil.provisioning.management;

import dev.vigil.provisioning.operators.Operator;

import com.fasterxml.jackson.databind.JsonNode;

/** One management operation: JSON arguments in, JSON result out, on behalf of an operator. */
@FunctionalInterface
public interface Operation {
    JsonNode run(Operator caller, JsonNode args) throws ManagementException;
}
