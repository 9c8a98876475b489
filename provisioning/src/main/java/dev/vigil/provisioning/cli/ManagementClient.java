package dev.vigil.provisioning.cli;

import dev.vigil.provisioning.management.ManagementException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A session with a management endpoint, as the authenticated operator. */
public interface ManagementClient extends AutoCloseable {

    /** Runs one operation; a refusal or an unreachable server is a {@link ManagementException}. */
    JsonNode call(String operation, ObjectNode args) throws ManagementException;

    @Override
    void close();
}
