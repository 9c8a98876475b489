package dev.vigil.provisioning.management;

/** A management request was refused; the message is one line meant for the operator. */
public class ManagementException extends Exception {

    /** Why, in terms both transports (CoAP codes, CLI exit codes) can map. */
    public enum Reason {
        BAD_REQUEST, FORBIDDEN, NOT_FOUND, CONFLICT, UNREACHABLE, FAILED
    }

    private final Reason reason;

    public ManagementException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
