package dev.vigil.provisioning.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.provisioning.RegistryFixture;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Security events of several nodes in one registry, and across a node's restart. */
class SecurityEventsStoreTest {

    @TempDir
    Path dir;
    private RegistryFixture fixture;

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private SecurityEvents node(String name) {
        SecurityEvents events = new SecurityEvents(100);
        events.persistTo(new EventStore(fixture.database, name));
        return events;
    }

    private long stored() {
        return fixture.database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT COUNT(*) FROM security_events");
                    ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private static List<String> subjects(SecurityEvents events) {
        return events.tail(100).stream().map(SecurityEvents.Event::subject).toList();
    }

    @Test
    void two_nodes_numbering_their_own_events_both_keep_every_event_in_the_shared_registry() {
        SecurityEvents a = node("node-a");
        SecurityEvents b = node("node-b");
        for (int i = 1; i <= 3; i++) {
            a.record("handshake-refused", "a" + i, "");
            b.record("handshake-refused", "b" + i, "");
        }
        a.save();
        b.save(); // the same numbers 1..3 as node-a's: both nodes' events are stored

        assertThat(stored()).isEqualTo(6);
        SecurityEvents restarted = node("node-a");
        assertThat(subjects(restarted)).containsExactly("a1", "a2", "a3");
        restarted.record("denied", "a4", "");
        assertThat(restarted.tail(1).get(0).seq()).isEqualTo(4);
        restarted.save();
        assertThat(stored()).isEqualTo(7);
    }
}
