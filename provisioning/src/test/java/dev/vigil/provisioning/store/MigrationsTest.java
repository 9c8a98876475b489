package dev.vigil.provisioning.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.testdb.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same schema versions run clean on an empty H2 database and on an empty PostgreSQL database. */
class MigrationsTest {

    /**
     * Flyway's checksums of V1..V9 as H2 databases in the field recorded them: the H2 scripts moved to db/h2 but
     * must never change, or those databases would refuse to open.
     */
    private static final Map<String, Integer> H2_CHECKSUMS_IN_THE_FIELD = Map.of("1", 468690660, "2", 305781684,
            "3", 1631346260, "4", 543256851, "5", -554481984, "6", 877069194, "7", 316210940, "8", 1231046862,
            "9", 2101945441);

    @TempDir
    Path dir;

    @Test
    void an_empty_h2_database_and_an_empty_postgresql_database_reach_the_same_versions() {
        Map<String, Integer> h2;
        try (Database database = Database.openEmbedded(dir.resolve("h2"))) {
            assertThat(database.dialect()).isEqualTo(Dialect.H2);
            h2 = applied(database);
        }
        var postgres = TestDatabases.shared();
        String url = postgres.createDatabase("migrations");
        Map<String, Integer> pg;
        try (Database database = Database.open(url, "vigil", dev.vigil.provisioning.testdb.PostgresServer.PASSWORD)) {
            assertThat(database.dialect()).isEqualTo(Dialect.POSTGRESQL);
            pg = applied(database);
        }
        try (Database again = Database.open(url, "vigil", dev.vigil.provisioning.testdb.PostgresServer.PASSWORD)) {
            assertThat(applied(again)).as("a second open migrates nothing").isEqualTo(pg);
        }
        assertThat(pg.keySet()).containsExactlyElementsOf(h2.keySet()).contains("1", "9", "12", "14", "17");
        assertThat(h2).containsAllEntriesOf(H2_CHECKSUMS_IN_THE_FIELD);
    }

    /** Applied versions, in order, with their checksums; every migration succeeded. */
    private static Map<String, Integer> applied(Database database) {
        return database.inTransaction(c -> {
            Map<String, Integer> versions = new LinkedHashMap<>();
            try (PreparedStatement query = c.prepareStatement("SELECT \"version\", \"checksum\", \"success\" FROM"
                    + " \"flyway_schema_history\" WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    assertThat(rows.getBoolean(3)).as("version " + rows.getString(1)).isTrue();
                    versions.put(rows.getString(1), rows.getInt(2));
                }
            }
            return versions;
        });
    }
}
