package dev.vigil.provisioning;

import dev.vigil.provisioning.audit.AuditLog;
import dev.vigil.provisioning.audit.AuditAnchors;
import dev.vigil.provisioning.audit.SecurityEvents;

import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.trust.TrustSettings;
import dev.vigil.provisioning.devices.DeviceImporter;
import dev.vigil.provisioning.devices.DeviceRegistry;
import dev.vigil.provisioning.devices.EnrollmentTokens;
import dev.vigil.provisioning.devices.KeyRotation;
import dev.vigil.provisioning.devices.PrincipalKeys;
import dev.vigil.provisioning.devices.ProfileRules;
import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
import dev.vigil.provisioning.keys.KeyIds;
import dev.vigil.provisioning.operators.OperatorRegistry;
import dev.vigil.provisioning.operators.PolicyStore;
import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.trust.TrustRegistry;
import dev.vigil.provisioning.commands.CommandQueue;
import dev.vigil.provisioning.firmware.FirmwareCatalogue;
import dev.vigil.provisioning.firmware.Rollouts;
import dev.vigil.provisioning.gateways.GatewayRegistry;
import dev.vigil.provisioning.telemetry.TelemetryStore;
import dev.vigil.provisioning.policy.PolicyDocumentException;
import dev.vigil.provisioning.policy.PolicyDocuments;
import java.time.Clock;
import java.time.Instant;

/**
 * The provisioning side of one node, over one database: every store, and the policy engine loaded
 * with the newest applied policy, wired once.
 */
public record Registry(Database database, AuditLog audit, DeviceRegistry devices, OperatorRegistry operators,
        TelemetryStore telemetry, EnrollmentTokens tokens, KeyRotation rotation, DeviceImporter importer,
        SecurityEvents events, PolicyStore policies, PolicyEngine policy, ProfileRules profiles, TrustRegistry trust,
        CommandQueue commands, FirmwareCatalogue firmware, Rollouts rollouts, Instant startedAt,
        GatewayRegistry gateways) {

    /** Subjects (per-principal rate and volume state) the policy engine remembers, per kind. */
    public static final int MAX_REMEMBERED_SUBJECTS = 1_000_000;

    /** A registry whose profile rules are the policy in force, with an unanchored audit log. */
    public static Registry open(Database database, Clock clock) {
        return open(database, clock, null, TrustSettings.defaults());
    }

    /**
     * A registry whose profile rules are the policy in force; {@code anchors} anchor its audit log, and its
     * trust engine runs with {@code trust}.
     */
    public static Registry open(Database database, Clock clock, AuditAnchors anchors, TrustSettings trust) {
        return open(database, clock, anchors, trust, DeviceKeyAlgorithms.ALL);
    }

    /** As above, with devices holding keys of {@code deviceKeys} only. */
    public static Registry open(Database database, Clock clock, AuditAnchors anchors, TrustSettings trust,
            DeviceKeyAlgorithms deviceKeys) {
        PolicyEngine policy = engine(database);
        return open(database, policy, rules(policy), clock, anchors, trust, deviceKeys);
    }

    /** A registry with other profile rules (tests). */
    public static Registry open(Database database, ProfileRules profiles, Clock clock) {
        return open(database, profiles, clock, DeviceKeyAlgorithms.ALL);
    }

    /** A registry with other profile rules and device key algorithms (tests). */
    public static Registry open(Database database, ProfileRules profiles, Clock clock, DeviceKeyAlgorithms deviceKeys) {
        return open(database, engine(database), profiles, clock, null, TrustSettings.defaults(), deviceKeys);
    }

    private static Registry open(Database database, PolicyEngine policy, ProfileRules profiles, Clock clock,
            AuditAnchors anchors, TrustSettings trust, DeviceKeyAlgorithms deviceKeys) {
        AuditLog audit = new AuditLog(database, anchors);
        DeviceRegistry devices = new DeviceRegistry(database, audit, deviceKeys);
        SecurityEvents events = new SecurityEvents(10_000, clock);
        FirmwareCatalogue firmware = new FirmwareCatalogue(database, audit, clock);
        TrustRegistry trusts = new TrustRegistry(database, audit, devices, events, policy, trust, MAX_REMEMBERED_SUBJECTS,
                clock);
        Rollouts rollouts = new Rollouts(database, audit, events, firmware, clock);
        rollouts.tiersFrom(trusts::tierOf);
        trusts.onChange(rollouts::tierChanged);
        return new Registry(database, audit, devices, new OperatorRegistry(database, audit),
                new TelemetryStore(database), new EnrollmentTokens(devices, profiles), new KeyRotation(devices, clock),
                new DeviceImporter(devices, profiles), events, new PolicyStore(database, audit),
                policy, profiles, trusts, new CommandQueue(database, audit, clock), firmware, rollouts, clock.instant(),
                new GatewayRegistry(database, audit, devices, policy));
    }

    /**
     * What kind of principal holds or held {@code keyId} — "device", "operator" or "node" — read from the
     * database (for refusal paths, not per request).
     */
    public java.util.Optional<String> keyHolder(String keyId) {
        return database.inTransaction(c -> PrincipalKeys.holder(c, keyId).map(PrincipalKeys.Kind::label));
    }

    /** Claims the node's own public keys (server, audit) so no device or operator can ever hold them. */
    public void claimNodeKeys(java.security.PublicKey... keys) {
        database.inTransaction(c -> {
            for (java.security.PublicKey key : keys) {
                PrincipalKeys.claimForNode(c, KeyIds.of(key));
            }
            return null;
        });
    }

    private static PolicyEngine engine(Database database) {
        PolicyStore.Stored stored = new PolicyStore(database, new AuditLog(database)).current();
        try {
            return new PolicyEngine(PolicyDocuments.compile(stored.document(), stored.version()),
                    MAX_REMEMBERED_SUBJECTS);
        } catch (PolicyDocumentException e) {
            throw new IllegalStateException("the policy in force (version " + stored.version()
                    + ") does not compile: " + e.errors().get(0), e);
        }
    }

    /** Profile rules read from the policy in force at each call. */
    static ProfileRules rules(PolicyEngine policy) {
        return new ProfileRules() {
            @Override
            public boolean exists(String profile) {
                return policy.profile(profile).isPresent();
            }

            @Override
            public boolean requiresApproval(String profile) {
                return policy.profile(profile).map(p -> p.approval()).orElse(false);
            }
        };
    }
}
