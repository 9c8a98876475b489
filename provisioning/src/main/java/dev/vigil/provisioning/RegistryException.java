package dev.vigil.provisioning;

/** The registry could not carry out a request: a storage failure, not a refused input. */
public class RegistryException extends RuntimeException {
    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
