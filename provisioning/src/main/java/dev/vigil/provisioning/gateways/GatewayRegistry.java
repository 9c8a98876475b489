package dev.vigil.provisioning.gateways;

import dev.vigil.policy.ChildAuth;
import dev.vigil.policy.DeviceProfile;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.provisioning.Actor;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.devices.Device;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.DeviceState;
import dev.vigil.provisioning.Refusal;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.audit.AuditLog;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which devices sit behind which gateway, and how (table {@code gateway_children}). A child belongs to one
 * gateway; a gateway is an ACTIVE device that is no child itself; a device is never its own child; a profile's
 * {@code childAuth} bounds the modes its devices may be carried in. A refused change changes nothing.
 */
public final class GatewayRegistry {

    private final Database database;
    private final AuditLog audit;
    private final DeviceRegistry devices;
    private final PolicyEngine policy;
    private final OscoreContexts oscore;
    private final PskKeys psk;

    public GatewayRegistry(Database database, AuditLog audit, DeviceRegistry devices, PolicyEngine policy) {
        this.database = database;
        this.audit = audit;
        this.devices = devices;
        this.policy = policy;
        this.oscore = new OscoreContexts(database);
        this.psk = new PskKeys(database);
    }

    /** The PSK children's pre-shared keys. */
    public PskKeys psk() {
        return psk;
    }

    /** A proxy child registered with a PSK, and that PSK (which goes to the operator once). */
    public record PskChild(Device device, PskMaterial material) {
    }

    /**
     * Registers {@code name} as a proxy child of {@code gateway}, as {@link #addChild} does, and makes its PSK in
     * the same transaction. {@code key} is its raw public key if it has one too. The audit names no secret.
     */
    public PskChild addPskChild(String name, PublicKey key, String profile, String gateway, Actor actor) {
        PskMaterial[] made = new PskMaterial[1];
        Device device = addChild(name, key, profile, gateway, ChildMode.PROXY, actor,
                (c, childId) -> {
                    made[0] = psk.create(c, childId, name);
                    audit.append(c, actor, "gateway.child.psk", name, null, "identity=" + name); // never the key
                });
        return new PskChild(device, made[0]);
    }

    /** The OSCORE children's security contexts. */
    public OscoreContexts oscore() {
        return oscore;
    }

    /** A child registered in OSCORE mode and its new context (the child's side goes to the operator once). */
    public record OscoreChild(Device device, OscoreMaterial material) {
    }

    /**
     * Registers {@code name} as an OSCORE child of {@code gateway}, as {@link #addChild} does, and makes its
     * OSCORE security context in the same transaction. The audit record names the kid, never the secret.
     */
    public OscoreChild addOscoreChild(String name, PublicKey key, String profile, String gateway, Actor actor) {
        OscoreMaterial[] made = new OscoreMaterial[1];
        Device device = addChild(name, key, profile, gateway, ChildMode.OSCORE, actor,
                (c, childId) -> made[0] = oscore.create(c, childId, name));
        return new OscoreChild(device, made[0]);
    }

    /**
     * Registers an ACTIVE device holding {@code key} as a child of {@code gateway} in {@code mode}: the device,
     * the binding and both audit records are one transaction.
     */
    public Device addChild(String name, PublicKey key, String profile, String gateway, ChildMode mode, Actor actor) {
        if (mode == ChildMode.OSCORE) {
            throw Refusal.invalid("an OSCORE child needs its security context: add it with addOscoreChild");
        }
        return addChild(name, key, profile, gateway, mode, actor, (c, childId) -> { });
    }

    private Device addChild(String name, PublicKey key, String profile, String gateway, ChildMode mode, Actor actor,
            DeviceRegistry.Within more) {
        if (name.equals(gateway)) {
            throw Refusal.invalid("a device cannot be its own gateway");
        }
        ChildAuth minimum = policy.profile(profile).map(DeviceProfile::minimumChildAuth).orElse(ChildAuth.ASSERTED);
        if (!mode.auth().satisfies(minimum)) {
            throw Refusal.invalid("profile '" + profile + "' demands childAuth " + minimum.id() + ": its devices cannot"
                    + " be carried in " + mode.id() + " mode");
        }
        return devices.add(name, key, profile, actor, (c, childId) -> {
            long gatewayId = lockGateway(c, gateway);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO gateway_children"
                    + " (child_id, gateway_id, mode, created_at) VALUES (?, ?, ?, ?)")) {
                insert.setLong(1, childId);
                insert.setLong(2, gatewayId);
                insert.setString(3, mode.id());
                insert.setObject(4, SqlTime.utc(Instant.now()));
                insert.executeUpdate();
            }
            more.run(c, childId);
            audit.append(c, actor, "gateway.child.add", name, null, "gateway=" + gateway + " mode=" + mode.id());
        });
    }

    /**
     * What decommissioning a gateway does to its children, in the decommission's own transaction ({@code
     * DeviceRegistry.changeAll}): with none, nothing; otherwise, with {@code rehomeTo}, every child moves to that
     * gateway in the same mode (it must be an ACTIVE device that is no child itself, and not the one going); with
     * {@code orphan}, every child is detached; with neither, the decommission is refused (one line, nothing
     * changed). Each child moved or detached is audited; its name is added to {@code touched}.
     */
    public DeviceRegistry.Within onDecommission(String rehomeTo, boolean orphan, Actor actor, List<String> touched) {
        if (rehomeTo != null && orphan) {
            throw Refusal.invalid("give --rehome-to or --orphan-children, not both");
        }
        return (c, gatewayId) -> {
            String gateway = null;
            List<String[]> children = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT p.name, d.name, g.mode FROM gateway_children g"
                    + " JOIN devices d ON d.id = g.child_id JOIN devices p ON p.id = g.gateway_id"
                    + " WHERE g.gateway_id = ? ORDER BY d.name")) {
                query.setLong(1, gatewayId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        gateway = rows.getString(1);
                        children.add(new String[] {rows.getString(2), rows.getString(3)});
                    }
                }
            }
            if (children.isEmpty()) {
                return;
            }
            if (rehomeTo == null && !orphan) {
                throw Refusal.conflict(gateway + " has " + children.size() + (children.size() == 1 ? " child" : " children")
                        + ": use --rehome-to OTHER_GW or --orphan-children");
            }
            if (orphan) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM gateway_children WHERE gateway_id = ?")) {
                    delete.setLong(1, gatewayId);
                    delete.executeUpdate();
                }
                for (String[] child : children) {
                    audit.append(c, actor, "gateway.child.orphan", child[0], "gateway=" + gateway + " mode=" + child[1],
                            null);
                    touched.add(child[0]);
                }
                return;
            }
            if (rehomeTo.equals(gateway)) {
                throw Refusal.invalid("cannot re-home the children of '" + gateway + "' to itself");
            }
            long target = lockGateway(c, rehomeTo);
            try (PreparedStatement move = c.prepareStatement("UPDATE gateway_children SET gateway_id = ?"
                    + " WHERE gateway_id = ?")) {
                move.setLong(1, target);
                move.setLong(2, gatewayId);
                move.executeUpdate();
            }
            for (String[] child : children) {
                audit.append(c, actor, "gateway.child.rehome", child[0], "gateway=" + gateway + " mode=" + child[1],
                        "gateway=" + rehomeTo + " mode=" + child[1]);
                touched.add(child[0]);
            }
        };
    }

    /** The id of {@code gateway}, locked: it must exist, be ACTIVE, and be no gateway's child itself. */
    private static long lockGateway(Connection c, String gateway) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT d.id, d.state, p.name FROM devices d"
                + " LEFT JOIN gateway_children g ON g.child_id = d.id LEFT JOIN devices p ON p.id = g.gateway_id"
                + " WHERE d.name = ? FOR UPDATE")) {
            query.setString(1, gateway);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw Refusal.notFound("no device named '" + gateway + "' to be the gateway");
                }
                DeviceState state = DeviceState.valueOf(rows.getString(2));
                if (state != DeviceState.ACTIVE) {
                    throw Refusal.conflict("gateway '" + gateway + "' is " + state.name().toLowerCase(java.util.Locale.ROOT)
                            + ", not active");
                }
                if (rows.getString(3) != null) {
                    throw Refusal.conflict("'" + gateway + "' is a child of gateway '" + rows.getString(3)
                            + "' and cannot carry children");
                }
                return rows.getLong(1);
            }
        }
    }

    /** The children of {@code gateway}, by name. */
    public List<Child> children(String gateway) {
        return database.inTransaction(c -> {
            long gatewayId;
            try (PreparedStatement query = c.prepareStatement("SELECT id FROM devices WHERE name = ?")) {
                query.setString(1, gateway);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        throw Refusal.notFound("no device named '" + gateway + "'");
                    }
                    gatewayId = rows.getLong(1);
                }
            }
            List<Child> children = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT d.name, d.profile, d.state, g.mode, k.key_id"
                    + " FROM gateway_children g JOIN devices d ON d.id = g.child_id LEFT JOIN device_keys k"
                    + " ON k.device_id = d.id AND k.state = 'ACTIVE' WHERE g.gateway_id = ? ORDER BY d.name")) {
                query.setLong(1, gatewayId);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        children.add(new Child(rows.getString(1), rows.getString(2),
                                DeviceState.valueOf(rows.getString(3)), ChildMode.of(rows.getString(4)),
                                rows.getString(5)));
                    }
                }
            }
            return children;
        });
    }

    /** The gateway of the device {@code childId} if that device is a relay child (read fresh, once per child session). */
    public Optional<RelayParent> relayParent(long childId) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT p.name, k.key_id FROM gateway_children g"
                    + " JOIN devices p ON p.id = g.gateway_id LEFT JOIN device_keys k ON k.device_id = p.id"
                    + " AND k.state = 'ACTIVE' WHERE g.child_id = ? AND g.mode = ?")) {
                query.setLong(1, childId);
                query.setString(2, ChildMode.RELAY.id());
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(new RelayParent(rows.getString(1), rows.getString(2)))
                            : Optional.<RelayParent>empty();
                }
            }
        });
    }

    /** The binding of the child named {@code child}, if it is any gateway's child (read fresh, per proxied request). */
    public Optional<ChildLink> link(String child) {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT g.child_id, d.name, g.gateway_id, g.mode, k.key_id"
                    + " FROM devices d JOIN gateway_children g ON g.child_id = d.id LEFT JOIN device_keys k"
                    + " ON k.device_id = d.id AND k.state = 'ACTIVE' WHERE d.name = ?")) {
                query.setString(1, child);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<ChildLink>empty();
                    }
                    return Optional.of(new ChildLink(rows.getLong(1), rows.getString(2), rows.getLong(3),
                            ChildMode.of(rows.getString(4)), rows.getString(5)));
                }
            }
        });
    }
}
