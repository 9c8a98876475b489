package dev.vigil.policy;

import java.util.Optional;

/**
 * How a child device behind a gateway authenticates to the server, strongest first. A profile's
 * {@code childAuth} is the weakest way its devices may be carried (document form: {@code "relay"},
 * {@code "oscore"}, {@code "asserted"}; absent means any).
 */
public enum ChildAuth {
    /** The child's own DTLS session through the gateway, which sees only ciphertext. */
    RELAY("relay"),
    /** Proxied, with OSCORE (RFC 8613) end to end: the gateway cannot read or forge the request. */
    OSCORE("oscore"),
    /** Proxied, asserted: the gateway vouches for the child on its own session. */
    ASSERTED("asserted");

    private final String id;

    ChildAuth(String id) {
        this.id = id;
    }

    /** The name used in policy documents. */
    public String id() {
        return id;
    }

    /** Whether a child carried this way meets a profile demanding at least {@code minimum}. */
    public boolean satisfies(ChildAuth minimum) {
        return ordinal() <= minimum.ordinal();
    }

    public static Optional<ChildAuth> ofId(String id) {
        for (ChildAuth auth : values()) {
            if (auth.id.equals(id)) {
                return Optional.of(auth);
            }
        }
        return Optional.empty();
    }
}
