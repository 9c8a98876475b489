package dev.vigil.provisioning;

import dev.vigil.provisioning.devices.ProfileRules;
import dev.vigil.provisioning.keys.DeviceKeyAlgorithms;
import dev.vigil.provisioning.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/** A registry on an H2 database in a temp dir, with a fixed set of profiles. */
public final class RegistryFixture implements AutoCloseable {

    public static final Actor ADMIN = new Actor("ni:///sha-256;test-admin");

    public final Database database;
    public final Registry registry;

    public RegistryFixture(Path dir, Clock clock, Set<String> profiles, Set<String> needApproval) {
        this(dir, clock, profiles, needApproval, DeviceKeyAlgorithms.ALL);
    }

    /** A registry whose devices may hold keys of {@code deviceKeys} only. */
    public RegistryFixture(Path dir, Clock clock, Set<String> profiles, Set<String> needApproval,
            DeviceKeyAlgorithms deviceKeys) {
        database = dev.vigil.provisioning.testdb.TestDatabases.open(dir);
        registry = Registry.open(database, new ProfileRules() {
            @Override
            public boolean exists(String profile) {
                return profiles.contains(profile);
            }

            @Override
            public boolean requiresApproval(String profile) {
                return needApproval.contains(profile);
            }
        }, clock, deviceKeys);
    }

    public RegistryFixture(Path dir) {
        this(dir, Clock.systemUTC(), Set.of("sensor", "gated"), Set.of("gated"));
    }

    @Override
    public void close() {
        database.close();
    }
}
