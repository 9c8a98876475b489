package dev.vigil.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fuzzes the body of {@code POST /op/<operation>} on the management endpoint. Oracle: the body is
 * either one JSON object (what every operation reads its arguments from) or refused with
 * {@link ManagementResource.BadArguments} and a one-line message for the operator (4.00); anything
 * else would be a 5.00. Regression inputs: {@code ManagementArgumentsFuzzTestInputs/arguments/}.
 */
class ManagementArgumentsFuzzTest {

    @FuzzTest
    void arguments(byte[] body) {
        try {
            ObjectNode args = ManagementResource.arguments(body);
            DeviceBodiesFuzzTest.require(args != null && args.isObject(), "an object", args);
        } catch (ManagementResource.BadArguments refused) {
            String message = refused.getMessage();
            DeviceBodiesFuzzTest.require(message != null && !message.isBlank() && !message.contains("\n"),
                    "a one-line reason", message);
        }
    }
}
