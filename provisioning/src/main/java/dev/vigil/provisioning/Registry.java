package dev.vigil.provisioning;

import dev.vigil.policy.PolicyEngine;
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
        SecurityEvents events, PolicyStore policies, PolicyEngine policy, ProfileRules profiles, Instant startedAt) {

    /** Subjects (per-principal rate and volume state) the policy engine remembers, per kind. */
    public static final int MAX_REMEMBERED_SUBJECTS = 1_000_000;

    /** A registry whose profile rules are the policy in force. */
    public static Registry open(Database database, Clock clock) {
        PolicyEngine policy = engine(database);
        return open(database, policy, rules(policy), clock);
    }

    /** A registry with other profile rules (tests). */
    public static Registry open(Database database, ProfileRules profiles, Clock clock) {
        return open(database, engine(database), profiles, clock);
    }

    private static Registry open(Database database, PolicyEngine policy, ProfileRules profiles, Clock clock) {
        AuditLog audit = new AuditLog(database);
        DeviceRegistry devices = new DeviceRegistry(database, audit);
        return new Registry(database, audit, devices, new OperatorRegistry(database, audit),
                new TelemetryStore(database), new EnrollmentTokens(devices, profiles), new KeyRotation(devices, clock),
                new DeviceImporter(devices, profiles), new SecurityEvents(10_000), new PolicyStore(database, audit),
                policy, profiles, clock.instant());
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
