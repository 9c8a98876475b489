package dev.vigil.provisioning;

/**
 * The registry refused a change and changed nothing: the message is one exact line for the operator,
 * e.g. "cannot rotate a decommissioned device".
 */
public class Refusal extends RuntimeException {

    /** Why, so transports can map it (CoAP 4.04 / 4.09 / 4.00). */
    public enum Reason {
        NOT_FOUND, CONFLICT, ILLEGAL_TRANSITION, INVALID, DENIED
    }

    private final Reason reason;

    public Refusal(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static Refusal notFound(String message) {
        return new Refusal(Reason.NOT_FOUND, message);
    }

    public static Refusal conflict(String message) {
        return new Refusal(Reason.CONFLICT, message);
    }

    /** A credential (token, nonce, signature) did not check out. */
    public static Refusal denied(String message) {
        return new Refusal(Reason.DENIED, message);
    }

    public static Refusal invalid(String message) {
        return new Refusal(Reason.INVALID, message);
    }
}
