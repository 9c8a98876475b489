package dev.vigil.provisioning.gateways;

import dev.vigil.policy.ChildAuth;
import java.util.Locale;

/** How a registered child sits behind its gateway. */
public enum ChildMode {
    /** Its own DTLS session to the server, through the gateway (which forwards datagrams it cannot read). */
    RELAY(ChildAuth.RELAY),
    /** Asserted proxy: the gateway speaks for it on {@code /gw/{child}/...} over the gateway's own session. */
    PROXY(ChildAuth.ASSERTED),
    /** OSCORE (RFC 8613) end to end: the gateway forwards requests it can neither read nor forge. */
    OSCORE(ChildAuth.OSCORE);

    private final ChildAuth auth;

    ChildMode(ChildAuth auth) {
        this.auth = auth;
    }

    /** What the child proves of itself in this mode, held against its profile's {@code childAuth}. */
    public ChildAuth auth() {
        return auth;
    }

    /** "relay", "proxy" or "oscore", as operators type it and the database stores it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ChildMode of(String id) {
        for (ChildMode mode : values()) {
            if (mode.id().equals(id)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("mode must be relay, proxy or oscore, not '" + id + "'");
    }
}
