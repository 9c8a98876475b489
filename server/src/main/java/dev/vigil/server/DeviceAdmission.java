package dev.vigil.server;

import dev.vigil.policy.trust.HandshakeRefusal;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.keys.KeyState;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.Registry;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Who may complete a handshake with the device endpoint, checked against the registry on every full
 * handshake and every resumption:
 * <ul>
 * <li>unknown keys: yes, but they hold only the enrollment policy (the request gate sees to that), and only
 * while fewer than {@code VIGIL.MAX_ENROLLMENT_SESSIONS} of them are connected; an operator's or this node's
 * key is no unknown key: refused;</li>
 * <li>a provisioned device's first handshake activates it; a key proposed for rotation becomes the
 * device's ACTIVE key (the old one is retired and its sessions cut);</li>
 * <li>suspended devices, retired keys: no; decommissioned devices and revoked keys: no, and a
 * security event, since a tombstoned key should never be seen again;</li>
 * <li>a key of an algorithm {@code VIGIL.DEVICE_KEY_ALGORITHMS} does not allow, registered or not: no, and a
 * security event.</li>
 * </ul>
 */
final class DeviceAdmission implements Admission {

    private final Registry registry;
    private final DeviceConnections connections;
    private final Consumer<List<String>> cutSessions;
    private final Function<String, Duration> lifetimeOfProfile;
    private final Clock clock;

    DeviceAdmission(Registry registry, DeviceConnections connections, Consumer<List<String>> cutSessions,
            Function<String, Duration> lifetimeOfProfile, Clock clock) {
        this.registry = registry;
        this.connections = connections;
        this.cutSessions = cutSessions;
        this.lifetimeOfProfile = lifetimeOfProfile;
        this.clock = clock;
    }

    @Override
    public String refusal(String keyId, PublicKey key) {
        Optional<DeviceIdentity> found = registry.devices().findByKeyId(keyId);
        String algorithm = registry.devices().keyAlgorithms().refusal(key);
        if (algorithm != null) { // e.g. an Ed25519 key registered before VIGIL.DEVICE_KEY_ALGORITHMS left ed25519 out
            registry.events().record("handshake-refused", found.map(DeviceIdentity::name).orElse(keyId), algorithm);
            return algorithm;
        }
        if (found.isEmpty()) {
            return unknownKeyRefusal(keyId); // enrollment only, if anything
        }
        DeviceIdentity device = found.get();
        String problem = problem(device);
        if (problem != null) {
            return problem;
        }
        try {
            if (device.state() == DeviceState.PROVISIONED) {
                registry.devices().activate(keyId, key, registry.profiles().requiresApproval(device.profile()));
            } else if (device.keyState() == KeyState.PENDING_ROTATION) {
                String retired = registry.rotation().confirm(keyId);
                if (retired != null) {
                    cutSessions.accept(List.of(retired));
                }
            }
        } catch (Refusal e) {
            registry.events().record("handshake-refused", device.name(), e.getMessage());
            return e.getMessage();
        }
        return null;
    }

    /** An unknown key may enroll, unless it is another principal's (an operator's, this node's) or the room is full. */
    private String unknownKeyRefusal(String keyId) {
        if (!connections.roomForUnknownKey()) {
            registry.events().record("enrollment-sessions-full", keyId, connections.unknownKeySessions()
                    + " sessions of unknown keys are open; unknown keys are refused until some close");
            return "enrollment sessions full";
        }
        String holder = registry.keyHolder(keyId).orElse(null);
        if (holder != null) {
            registry.events().record("handshake-refused", keyId, "the key of " + ("operator".equals(holder)
                    ? "an operator" : "this node") + " at the device endpoint");
            return "key of " + holder;
        }
        return null;
    }

    /**
     * May a session of this key, created at {@code createdAtMillis}, be resumed? The lifetime function
     * is asked with a null profile for unknown keys.
     */
    boolean resumable(String keyId, long createdAtMillis) {
        Optional<DeviceIdentity> found = registry.devices().findByKeyId(keyId);
        if (found.isEmpty()) {
            // an enrollment-only session of an unknown key, with its own short lifetime, while there is room
            return connections.roomForUnknownKey() && clock.millis() - createdAtMillis < lifetimeOfProfile.apply(null).toMillis();
        }
        DeviceIdentity device = found.get();
        return problem(device) == null && device.keyState() == KeyState.ACTIVE
                && clock.millis() - createdAtMillis < lifetimeOfProfile.apply(device.profile()).toMillis();
    }

    /**
     * Does a session of this key, saved before a restart, still stand: an ACTIVE device with its ACTIVE key?
     * Sessions of devices suspended, quarantined or decommissioned, and of keys revoked or retired while the node
     * was down, do not (a quarantined device may handshake again, for remediation only); nor do sessions of
     * unknown keys (enrollment only). Records nothing.
     */
    boolean standsAfterRestart(String keyId) {
        return registry.devices().findByKeyId(keyId).filter(device -> !device.isTombstoned()
                && device.keyState() == KeyState.ACTIVE && device.state() == DeviceState.ACTIVE).isPresent();
    }

    private String problem(DeviceIdentity device) {
        if (device.isTombstoned()) {
            registry.events().record("tombstoned-key-seen", device.name(),
                    "a key of a decommissioned device or a revoked key tried to connect");
            untrusted(device, HandshakeRefusal.TOMBSTONED_KEY);
            return "tombstoned key of " + device.name();
        }
        if (device.keyState() == KeyState.RETIRED) {
            registry.events().record("handshake-refused", device.name(), "retired key");
            return "retired key of " + device.name();
        }
        if (!device.mayConnect()) {
            registry.events().record("handshake-refused", device.name(), "device is " + device.state());
            if (device.state() == DeviceState.SUSPENDED) {
                untrusted(device, HandshakeRefusal.SUSPENDED_KEY);
            }
            return device.name() + " is " + device.state();
        }
        return null;
    }

    /** Tells the trust engine of a refused handshake — of a device still alive (a decommissioned one has no trust). */
    private void untrusted(DeviceIdentity device, HandshakeRefusal reason) {
        if (device.state() != DeviceState.DECOMMISSIONED) {
            registry.trust().engine().onHandshakeRefused(registry.trust().stateOf(device), clock.millis(), reason);
        }
    }

    /** A handshake presented this registered key but could not prove possession of it. */
    void proofFailed(String keyId) {
        registry.devices().findByKeyId(keyId).ifPresent(device -> {
            registry.events().record("handshake-proof-failed", device.name(), "key presented without its private key");
            untrusted(device, HandshakeRefusal.PROOF_FAILED);
        });
    }
}
