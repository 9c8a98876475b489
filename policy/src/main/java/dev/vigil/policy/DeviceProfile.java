package dev.vigil.policy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a device may do (document form: {@code /profiles/{name}}): the resources it may send to, the
 * commands it may receive, the services it may use, the conditions that gate sending and receiving,
 * and how its credentials age. Commands and services are names, checked by the compiler.
 *
 * @param conditions never null; {@link Conditions#NONE} when the document has none
 * @param sessionMaxLifetime DTLS sessions older than this are terminated ({@code session.maxLifetime})
 * @param approval whether enrolled devices wait in PENDING until an operator approves them
 * @param maxKeyAge keys older than this are due for rotation, or null for no limit
 * @param childAuth the weakest way a device of this profile may sit behind a gateway ({@code childAuth}: one of
 *        {@link ChildAuth}'s ids), or null for any
 */
public record DeviceProfile(List<SendRule> send, List<String> commands, List<String> services, Conditions conditions,
        Duration sessionMaxLifetime, boolean approval, Duration maxKeyAge, String childAuth) {

    /** The session lifetime of a profile that does not set one. */
    public static final Duration DEFAULT_SESSION_MAX_LIFETIME = Duration.ofHours(24);

    public DeviceProfile {
        send = List.copyOf(send);
        commands = List.copyOf(commands);
        services = List.copyOf(services);
        conditions = Objects.requireNonNullElse(conditions, Conditions.NONE);
        sessionMaxLifetime = Objects.requireNonNullElse(sessionMaxLifetime, DEFAULT_SESSION_MAX_LIFETIME);
    }

    /** A profile that lets its devices sit behind a gateway any way. */
    public DeviceProfile(List<SendRule> send, List<String> commands, List<String> services, Conditions conditions,
            Duration sessionMaxLifetime, boolean approval, Duration maxKeyAge) {
        this(send, commands, services, conditions, sessionMaxLifetime, approval, maxKeyAge, null);
    }

    /** The weakest way a device of this profile may be carried by a gateway ({@link ChildAuth#ASSERTED} if any). */
    public ChildAuth minimumChildAuth() {
        return childAuth == null ? ChildAuth.ASSERTED : ChildAuth.ofId(childAuth).orElse(ChildAuth.RELAY);
    }
}
