package dev.vigil.provisioning;

/** A name or key is already registered; nothing was changed. */
public class DuplicateException extends Exception {
    public DuplicateException(String message) {
        super(message);
    }
}
