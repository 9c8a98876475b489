package dev.vigil.server;

/** A payload is not a SenML pack we accept; the message is for logs, never for the peer. */
final class SenmlException extends Exception {
    SenmlException(String message) {
        super(message);
    }
}
