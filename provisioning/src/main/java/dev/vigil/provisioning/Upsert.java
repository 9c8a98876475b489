package dev.vigil.provisioning;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An insert-or-update of one row by its key, as the SQL:2008 {@code MERGE ... USING} that H2 2.x and
 * PostgreSQL 15 both run (H2's own {@code MERGE ... KEY} is not PostgreSQL's). Every column is a parameter, in
 * the order given, the key first.
 */
public final class Upsert {

    private Upsert() {
    }

    /** The statement for {@code table}: {@code key} then {@code columns}, each bound as one parameter. */
    public static String into(String table, String key, String... columns) {
        String all = key + ", " + String.join(", ", columns);
        String params = String.join(", ", java.util.Collections.nCopies(columns.length + 1, "?"));
        String updates = Arrays.stream(columns).map(c -> c + " = s." + c).collect(Collectors.joining(", "));
        String inserted = Arrays.stream(all.split(", ")).map(c -> "s." + c).collect(Collectors.joining(", "));
        return "MERGE INTO " + table + " t USING (VALUES (" + params + ")) AS s (" + all + ") ON t." + key + " = s."
                + key + " WHEN MATCHED THEN UPDATE SET " + updates + " WHEN NOT MATCHED THEN INSERT (" + all
                + ") VALUES (" + inserted + ")";
    }
}
