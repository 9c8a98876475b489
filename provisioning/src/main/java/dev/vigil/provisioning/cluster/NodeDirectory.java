package dev.vigil.provisioning.cluster;

import dev.vigil.provisioning.store.Database;
import dev.vigil.provisioning.store.SqlTime;
import dev.vigil.provisioning.store.Upsert;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The {@code nodes} table: each running node's row, refreshed by its change feed ({@code vigil status}). */
public final class NodeDirectory {

    /** One node as it last reported itself. */
    public record Node(String id, String address, Instant startedAt, Instant lastSeen, long lastSeq, int sessions) {
    }

    private final Database database;

    public NodeDirectory(Database database) {
        this.database = database;
    }

    /** Writes this node's row (inserted at its first report, replaced at each later one). */
    public void report(Node node) {
        database.inTransaction(c -> {
            Upsert.row(c, "nodes", "node_id", node.id(), new String[] {"address", "started_at", "last_seen", "last_seq",
                "sessions"}, node.address(), SqlTime.utc(node.startedAt()), SqlTime.utc(node.lastSeen()), node.lastSeq(),
                    node.sessions());
            return null;
        });
    }

    /** Every node that ever reported, by id. */
    public List<Node> list() {
        return database.inTransaction(c -> {
            try (PreparedStatement query = c.prepareStatement("SELECT node_id, address, started_at, last_seen,"
                    + " last_seq, sessions FROM nodes ORDER BY node_id");
                    ResultSet rows = query.executeQuery()) {
                List<Node> nodes = new ArrayList<>();
                while (rows.next()) {
                    nodes.add(new Node(rows.getString(1), rows.getString(2), SqlTime.instant(rows, 3),
                            SqlTime.instant(rows, 4), rows.getLong(5), rows.getInt(6)));
                }
                return nodes;
            }
        });
    }
}
