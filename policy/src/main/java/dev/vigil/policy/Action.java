package dev.vigil.policy;

/**
 * What a subject asks to do. The {@code resource} passed with it to
 * {@link PolicyEngine#decide(Subject, Action, String, RequestFacts)} means something different for each.
 */
public enum Action {
    /** Uplink: a device sends to a CoAP resource; the resource is its path without a leading slash ({@code "t"}). */
    SEND,
    /** Downlink: a command addressed to the device; the resource is the command name ({@code "reboot"}). */
    RECEIVE_COMMAND,
    /** A remediation service; the resource is the {@link Service#id() service id} ({@code "firmware"}). */
    USE_SERVICE,
    /** An operator's management operation; the resource is its name ({@code "device.add"}). */
    OPERATE;

    /**
     * The resource of a {@link #RECEIVE_COMMAND} that asks for commands at all (a device polling or
     * observing {@code /cmd}): allowed if its profile lists any command; each command is then decided on
     * its own, with its conditions (trust tier TRUSTED, schedule, firmware), when it is delivered.
     */
    public static final String ANY_COMMAND = "*";
}
