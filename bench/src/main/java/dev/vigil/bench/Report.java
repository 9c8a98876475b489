package dev.vigil.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the sections as {@code report.md} (Markdown) and {@code report.json}. */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Machine machine;
    private final String mode;
    private final String command;
    private final List<Section> sections;

    public Report(Machine machine, String mode, String command, List<Section> sections) {
        this.machine = machine;
        this.mode = mode;
        this.command = command;
        this.sections = sections;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Vigil benchmark report\n\n");
        md.append("- machine: ").append(machine.nproc()).append(" CPUs (`nproc`), ").append(machine.cpu())
                .append("; `java -version`: ").append(machine.java()).append('\n');
        md.append("- date: ").append(machine.date()).append("; mode: **").append(mode).append("**; command: `")
                .append(command).append("`\n");
        md.append("- every table row carries the machine and date it was measured on (last column)\n\n");
        for (Section section : sections) {
            md.append("## ").append(section.title).append(" (`").append(section.name).append("`)\n\n");
            if (!"ok".equals(section.status)) {
                md.append("**").append(section.status).append("**\n\n");
            }
            for (String line : section.definition) {
                md.append(line).append('\n');
            }
            if (!section.definition.isEmpty()) {
                md.append('\n');
            }
            table(md, section);
            for (Section sub : section.subtables) {
                md.append("*").append(sub.title).append("*\n\n");
                table(md, sub);
            }
            for (String note : section.notes) {
                md.append("- ").append(note).append('\n');
            }
            md.append(String.format(Locale.ROOT, "%n_ran %.0f s_%n%n", section.seconds));
        }
        return md.toString();
    }

    private void table(StringBuilder md, Section section) {
        if (section.rows.isEmpty()) {
            return;
        }
        md.append('|');
        for (String column : section.columns) {
            md.append(' ').append(column).append(" |");
        }
        md.append(" machine · date |\n|");
        for (int i = 0; i <= section.columns.size(); i++) {
            md.append("---|");
        }
        md.append('\n');
        for (Map<String, Object> row : section.rows) {
            md.append('|');
            for (String column : section.columns) {
                md.append(' ').append(cell(row.get(column))).append(" |");
            }
            md.append(' ').append(machine.label()).append(" |\n");
        }
        md.append('\n');
    }

    static String cell(Object value) {
        if (value == null) {
            return "–";
        }
        if (value instanceof Double d) {
            return Fmt.num(d);
        }
        return value.toString().replace("|", "\\|");
    }

    public String json() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putPOJO("machine", machine);
        root.put("mode", mode);
        root.put("command", command);
        ArrayNode array = root.putArray("benchmarks");
        for (Section section : sections) {
            array.add(sectionJson(section));
        }
        return JSON.writeValueAsString(root);
    }

    private ObjectNode sectionJson(Section section) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", section.name);
        node.put("title", section.title);
        node.put("status", section.status);
        node.put("seconds", Math.round(section.seconds));
        node.putPOJO("definition", section.definition);
        ArrayNode rows = node.putArray("rows");
        for (Map<String, Object> row : section.rows) {
            ObjectNode r = JSON.valueToTree(row);
            r.put("machine", machine.nproc() + " CPUs, " + machine.cpu() + ", " + machine.java());
            r.put("date", machine.date());
            rows.add(r);
        }
        if (!section.subtables.isEmpty()) {
            ArrayNode subs = node.putArray("tables");
            for (Section sub : section.subtables) {
                subs.add(sectionJson(sub));
            }
        }
        node.putPOJO("notes", section.notes);
        if (!section.data.isEmpty()) {
            node.putPOJO("data", section.data);
        }
        return node;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.json"), json() + "\n", StandardCharsets.UTF_8);
    }
}
