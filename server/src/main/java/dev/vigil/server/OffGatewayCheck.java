package dev.vigil.server;

import dev.vigil.policy.trust.DeviceTrust;
import dev.vigil.provisioning.devices.DeviceIdentity;
import dev.vigil.provisioning.Registry;
import dev.vigil.provisioning.gateways.RelayParent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a relay child's session comes from, held against the gateway it is registered behind. The reference gateway
 * relays each child from a socket of its own on the gateway's host, so an honest relay child's session comes from
 * the IP address of its gateway's own live DTLS session. A new session of a relay child (full handshake or
 * resumption) from another IP address, or while its gateway has no live session, is served — the child proved its
 * own key, and principals are keys, not addresses — but it is a {@code child-off-gateway} event and the trust
 * engine's {@code OFF_GATEWAY} signal against the child. A signal, never an authentication: a child beside its
 * gateway (same IP) looks the same as one behind it, a gateway behind a NAT with several public addresses can look
 * off, and a session that moves with its Connection ID is not checked again until its next handshake.
 */
final class OffGatewayCheck {

    private final Registry registry;
    private final Function<String, Optional<InetSocketAddress>> liveAddress;
    private final Clock clock;

    OffGatewayCheck(Registry registry, Function<String, Optional<InetSocketAddress>> liveAddress, Clock clock) {
        this.registry = registry;
        this.liveAddress = liveAddress;
        this.clock = clock;
    }

    /** A device's new session (full or resumed) from {@code from}: a signal if it is a relay child off its gateway. */
    void newSession(DeviceIdentity device, DeviceTrust trust, InetSocketAddress from) {
        Optional<RelayParent> parent = registry.gateways().relayParent(device.deviceId());
        if (parent.isEmpty()) {
            return;
        }
        Optional<InetSocketAddress> gateway = Optional.ofNullable(parent.get().gatewayKeyId()).flatMap(liveAddress);
        InetAddress source = from.getAddress();
        if (gateway.isPresent() && gateway.get().getAddress().equals(source)) {
            return;
        }
        registry.events().record("child-off-gateway", device.name(), "session from " + source.getHostAddress()
                + (gateway.isEmpty() ? "; gateway " + parent.get().gatewayName() + " has no live session"
                        : "; gateway " + parent.get().gatewayName() + " is at " + gateway.get().getAddress().getHostAddress()));
        registry.trust().engine().onOffGateway(trust, clock.millis());
    }
}
