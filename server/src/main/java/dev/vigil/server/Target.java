package dev.vigil.server;

import dev.vigil.policy.Action;

/**
 * What a request to a device resource asks of the policy: {@code /t} sends telemetry, {@code /cmd} asks for
 * commands (each is decided again when delivered), {@code /key} uses the key-rotation service, {@code /fw...} the firmware service, {@code /enroll} enrollment; any other
 * path is a send to that resource (denied unless a profile names it).
 */
record Target(Action action, String name) {

    private static final Target KEY = new Target(Action.USE_SERVICE, "key-rotation");
    private static final Target FIRMWARE = new Target(Action.USE_SERVICE, "firmware");
    private static final Target ENROLL = new Target(Action.USE_SERVICE, "enroll");
    private static final Target TELEMETRY = new Target(Action.SEND, "t");
    private static final Target COMMANDS = new Target(Action.RECEIVE_COMMAND, Action.ANY_COMMAND);

    static Target of(String resource) {
        return switch (resource) {
            case "t" -> TELEMETRY;
            case "key" -> KEY;
            case "fw" -> FIRMWARE;
            case "enroll" -> ENROLL;
            case "cmd" -> COMMANDS;
            default -> new Target(Action.SEND, resource);
        };
    }
}
