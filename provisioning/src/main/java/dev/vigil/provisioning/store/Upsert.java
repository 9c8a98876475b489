package dev.vigil.provisioning.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Inserts a row or updates it by its key, the same way on H2 and PostgreSQL: an {@code UPDATE}, then an
 * {@code INSERT} if it touched nothing. (H2's {@code MERGE ... KEY} is not PostgreSQL's, and both databases'
 * {@code MERGE ... USING (VALUES (?, ...))} must guess the parameters' types: H2 guessed wrong for bytes.) Callers
 * hold a lock that serialises writers of the row, or accept that a concurrent first insert of the same key fails.
 */
public final class Upsert {

    private Upsert() {
    }

    /** Writes {@code values} into {@code columns} of the row of {@code table} whose {@code key} is {@code keyValue}. */
    public static void row(Connection c, String table, String key, Object keyValue, String[] columns, Object... values)
            throws SQLException {
        if (columns.length != values.length) {
            throw new IllegalArgumentException(columns.length + " columns, " + values.length + " values");
        }
        String set = Arrays.stream(columns).map(column -> column + " = ?").collect(Collectors.joining(", "));
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET " + set + " WHERE " + key + " = ?")) {
            bind(update, keyValue, values);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        String params = String.join(", ", java.util.Collections.nCopies(columns.length + 1, "?"));
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", columns)
                + ", " + key + ") VALUES (" + params + ")")) {
            bind(insert, keyValue, values);
            insert.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object keyValue, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
        statement.setObject(values.length + 1, keyValue);
    }
}
