package dev.vigil.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's results: a definition of what was measured, a table (every row is stamped with the
 * machine and date when the report is written), notes, and a status ({@code ok}, {@code blocked: ...},
 * {@code failed: ...}).
 */
public final class Section {

    public final String name;
    public final String title;
    public final List<String> columns;
    public final List<Map<String, Object>> rows = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    public final List<String> definition = new ArrayList<>();
    /** Extra tables (title, columns, rows) shown after the main one. */
    public final List<Section> subtables = new ArrayList<>();
    /** Machine-readable extras for report.json only. */
    public final Map<String, Object> data = new LinkedHashMap<>();
    public String status = "ok";
    public double seconds;

    public Section(String name, String title, String... columns) {
        this.name = name;
        this.title = title;
        this.columns = List.of(columns);
    }

    /** Adds a row; cells in column order (numbers stay numbers in the JSON). */
    public Section row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(title + ": " + cells.length + " cells for columns " + columns
                    + ": " + Arrays.toString(cells));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i++) {
            row.put(columns.get(i), cells[i]);
        }
        rows.add(row);
        return this;
    }

    public Section define(String text) {
        definition.add(text);
        return this;
    }

    public Section note(String text) {
        notes.add(text);
        return this;
    }

    public Section table(String subtitle, String... columns) {
        Section table = new Section(name, subtitle, columns);
        subtables.add(table);
        return table;
    }
}
